import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct Feeds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Configured feeds with their fetch status and item counts.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() async throws {
            try await guarded {
                let config = try global.loadConfig()
                let path = global.databasePath(config)
                var health: [String: FeedHealth] = [:]
                if FileManager.default.fileExists(atPath: path) {
                    let store = try Store(path: path)
                    for row in try store.feedHealth(now: Date()) { health[row.record.name] = row }
                }
                print(FeedsReport.render(config: config, health: health, json: format == .json, timeZone: config.settings.timeZone, width: global.terminalWidth), terminator: "")
            }
        }
    }
}
