import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a feed from feeds.toml (its stored items stay until pruned).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The feed's name.") var name: String

        func run() async throws {
            try await guarded {
                let config = try global.loadConfig()
                guard config.feeds.contains(where: { $0.name == name }) else {
                    var message = "no feed named '\(name)' in \(config.path)"
                    let names = config.feeds.map(\.name)
                    if let close = names.min(by: { OPML.editDistance($0, name) < OPML.editDistance($1, name) }),
                        OPML.editDistance(close, name) <= max(2, name.count / 3)
                    {
                        message += " (did you mean '\(close)'?)"
                    }
                    throw Failure(message)
                }
                _ = try ConfigEditor.remove(feed: name, fromFile: config.path)
                var stored = 0
                let path = global.databasePath(config)
                if FileManager.default.fileExists(atPath: path), let store = try? Store(path: path, readOnly: true) {
                    stored = Int(
                        (try? store.db.scalarInt(
                            "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE f.name = ?", name))
                            ?? 0)
                }
                if !global.quiet {
                    print(
                        "removed '\(name)' from \(config.path)"
                            + (stored > 0 ? "; its \(stored) stored items stay until pruned" : ""))
                }
            }
        }
    }
}
