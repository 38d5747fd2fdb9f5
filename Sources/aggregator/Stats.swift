import AggregatorKit
import ArgumentParser
import Foundation

extension Aggregator {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Database size, items, stories, items per day, top portals, share of syndicated copies.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions
        @Option(help: "Days in the items-per-day table.") var days = 14
        @Option(help: "Portals in the top list.") var top = 10
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                let stats = try DatabaseStats.collect(
                    store: store, days: max(1, min(days, 366)), top: max(1, top),
                    timeZone: config?.settings.timeZone ?? .current)
                switch format {
                case .text: print(stats.text(), terminator: "")
                case .json: print(stats.json())
                }
            }
        }
    }
}
