import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct ExportOPML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-opml",
            abstract: "Write every configured feed as OPML 2.0 (for other readers, or to import back).")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Write to this file atomically instead of stdout.", valueName: "file"))
        var output: String?

        func run() async throws {
            try await guarded {
                let config = try global.loadConfig()
                // Site links (htmlUrl) are what the feeds themselves said, stored by fetch; optional.
                var siteLinks: [String: String] = [:]
                let path = global.databasePath(config)
                if FileManager.default.fileExists(atPath: path), let store = try? Store(path: path, readOnly: true) {
                    for feed in (try? store.allFeeds()) ?? [] {
                        if let link = feed.siteLink { siteLinks[feed.name] = link }
                    }
                }
                let text = OPML.export(config, siteLinks: siteLinks)
                if let output {
                    try AtomicFile.write(text, to: output)
                    if !global.quiet { printError("wrote \(config.feeds.count) feeds to \(output)") }
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}
