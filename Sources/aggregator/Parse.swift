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
                let results = await ParseInputs.parse(inputs, userAgent: nil)
                for (input, result) in zip(inputs, results) {
                    switch result {
                    case .failure(let message):
                        printError("aggregator: \(input): \(message)")
                        failed = true
                    case .success(let parsed):
                        if !global.quiet {
                            for warning in ParseInputs.warnings(parsed).prefix(1) {
                                printError("aggregator: \(input): warning: \(warning)")
                            }
                        }
                        switch format {
                        case .json:
                            print(ParseInputs.json(parsed, pretty: inputs.count == 1))
                        case .text:
                            print(ParseInputs.textListing(parsed), terminator: "")
                        }
                    }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
