import AggregatorKit
import ArgumentParser
import Foundation

extension Aggregator {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse feeds without storing them (debugging a feed, checking snapshots).",
            discussion: "With one input, json prints one pretty object; with several, one compact object per line. Exit non-zero if any input failed.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Output format: json or text.")
        var format: Format = .text

        @Argument(help: ArgumentHelp("Feed files or URLs.", valueName: "file-or-url"))
        var inputs: [String]

        func run() async throws {
            try await guarded {
                var failed = false
                let output: ParseInputs.OutputFormat = format == .json ? .json : .text
                await ParseInputs.parse(inputs, userAgent: nil, format: output) { index, rendered in
                    switch rendered {
                    case .failure(let message):
                        printError("aggregator: \(inputs[index]): \(message)")
                        failed = true
                    case .success(let output, let warnings):
                        if !global.quiet, let warning = warnings.first {
                            printError("aggregator: \(inputs[index]): warning: \(warning)")
                        }
                        FileHandle.standardOutput.write(Data(output.utf8))
                    }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
