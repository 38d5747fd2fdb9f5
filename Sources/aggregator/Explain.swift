import AggregatorKit
import ArgumentParser

extension Aggregator {
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show why two items are or are not in one story cluster.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "First item id (see 'aggregator cluster ID').") var first: Int64
        @Argument(help: "Second item id.") var second: Int64

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                print(try ExplainPair.explain(store: store, config: config, first, second), terminator: "")
            }
        }
    }
}
