import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove items stored longer ago than the retention (settings.keep, per-feed keep).",
            discussion: """
                Items are judged by when aggregator first stored them, not by the date the feed claims. Their \
                fingerprints, band keys, search text and emptied stories go with them, in small transactions. \
                Without --older-than, feeds with no keep configured are left alone.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(
            name: .customLong("older-than"),
            help: ArgumentHelp(
                "Remove items of every feed stored longer ago than this (e.g. 90d).", valueName: "duration"))
        var olderThan: String?
        @Flag(name: .customLong("dry-run"), help: "Count what would be removed, change nothing.") var dryRun = false
        @Flag(help: "Reclaim the space afterwards (VACUUM; rewrites the file).") var vacuum = false
        @Flag(name: .long, help: "Wait for a running fetch to finish instead of exiting with 75.") var wait = false

        func run() async throws {
            try await guarded {
                let config = try global.loadConfig()
                var age: Double?
                if let olderThan {
                    guard let seconds = DurationText.seconds(olderThan) else {
                        throw Failure("--older-than: not a duration: '\(olderThan)' (write e.g. 90d, 12w)")
                    }
                    age = seconds
                }
                if age == nil && !Retention.isConfigured(config) && !vacuum {
                    throw Failure(
                        "retention is off in \(config.path): set settings.keep (or a feed's keep), or pass --older-than"
                    )
                }
                let path = global.databasePath(config)
                let store = try global.openStore(config)
                let lock = try await global.lock(databasePath: path, wait: wait)
                defer { withExtendedLifetime(lock) {} }
                let report = try Retention.prune(
                    store: store, config: config, olderThan: age, dryRun: dryRun, vacuum: vacuum && !dryRun)
                if !global.quiet {
                    print(report.summaryLine + String(format: " (%.2f s)", report.seconds))
                }
            }
        }
    }
}
