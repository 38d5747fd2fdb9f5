import AggregatorKit
import ArgumentParser
import Foundation
import Logging

extension Aggregator {
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every configured feed, parse, deduplicate and store.",
            discussion: "Exit 0 when the run happened (failed feeds are reported and recorded); 1 for config or database problems; 75 when another run holds the lock.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp("Fetch only this feed (repeatable).", valueName: "name"))
        var feed: [String] = []

        @Option(name: .long, help: ArgumentHelp("Fetch only feeds with this tag (repeatable).", valueName: "tag"))
        var tag: [String] = []

        @Flag(name: .long, help: "Fetch feeds even when they are not due yet, without validators.")
        var force = false

        @Flag(name: .long, help: "Wait for another running fetch to finish instead of exiting with 75.")
        var wait = false

        func run() async throws {
            try await guarded {
                let config = try global.loadConfig()
                for name in feed where !config.feeds.contains(where: { $0.name == name }) {
                    throw Failure("no feed named '\(name)' in \(config.path)")
                }
                // A mistyped tag would fetch nothing, silently, from cron on every run.
                for name in tag where !config.feeds.contains(where: { $0.tags.contains(name) }) {
                    throw Failure("no feed tagged '\(name)' in \(config.path)")
                }
                let path = global.databasePath(config)
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    } catch {
                        throw Failure("cannot create the database folder \(folder): \(error.localizedDescription)")
                    }
                }
                let lock = try await global.lock(databasePath: path, wait: wait)
                defer { withExtendedLifetime(lock) {} }
                _ = Aggregator.bootstrapLogging
                var options = FetchRunOptions()
                options.logger.logLevel = global.verbose ? .debug : .error
                options.force = force
                options.feedNames = feed
                options.tags = tag
                let quiet = global.quiet
                let verbose = global.verbose
                let live = !quiet && isatty(STDERR_FILENO) == 1
                options.onFeedDone = { outcome in
                    switch outcome.kind {
                    case .failed:
                        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                        printError("aggregator: feed '\(outcome.feed)' failed: \(outcome.reason ?? "unknown error")")
                    default:
                        if !quiet {
                            for warning in outcome.warnings {
                                if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                                printError("aggregator: feed '\(outcome.feed)': warning: \(warning)")
                            }
                        }
                        if verbose && live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    }
                }
                if live {
                    options.progress = { progress in
                        let line = "\r\u{1B}[K\(progress.done)/\(progress.total) feeds, \(progress.newItems) new items, \(progress.failed) failed"
                        FileHandle.standardError.write(Data(line.utf8))
                    }
                }
                let report = try await FetchRun.run(config: config, databasePath: path, options: options)
                if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                if !quiet { print(report.summaryLine) }
            }
        }
    }
}
