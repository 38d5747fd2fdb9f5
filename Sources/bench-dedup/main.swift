// bench-dedup: measurement tools for the Dedup module (not part of the product).
//   bench-dedup eval DOCS.jsonl OUT.json [--no-learned] [--bands-only] [--set key=value]...
//   bench-dedup bench [--items N] ...
//   bench-dedup verify [--items N] [--fuzz N] [--corpus DIR]   (fingerprints bit-identical to the reference)
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "eval": try CorpusEval.run(Array(arguments.dropFirst()))
    case "bench": try Benchmark.run(Array(arguments.dropFirst()))
    case "verify": try Verify.run(Array(arguments.dropFirst()))
    default:
        FileHandle.standardError.write(Data("usage: bench-dedup eval|bench|verify ...\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("bench-dedup: \(error)\n".utf8))
    exit(1)
}
