import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct ReclusterCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recluster",
            abstract: "Rebuild story clusters from stored items (after changing [dedup] settings), in one transaction.")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only items from this long ago on (e.g. 7d); default: all.", valueName: "duration"))
        var since: String?
        @Flag(help: "Wait for a running fetch instead of exiting with 75.") var wait = false

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let path = global.databasePath(config)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw Failure("no database at \(path) (run 'aggregator fetch' first, or pass --db)")
                }
                let lock = try await global.lock(databasePath: path, wait: wait)
                defer { withExtendedLifetime(lock) {} }
                let start = Date()
                let summary = try Recluster.run(config: config, databasePath: path, since: try parseSince(since))
                if !global.quiet {
                    print(
                        "reclustered \(summary.items) items in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: "
                            + "\(summary.clustersBefore) → \(summary.clustersAfter) stories, "
                            + "\(summary.multiPortalBefore) → \(summary.multiPortalAfter) carried by several portals")
                }
            }
        }
    }
}
