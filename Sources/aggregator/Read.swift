import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension GlobalOptions {
    /// Opens an existing database for the reading commands.
    func openStore(_ config: Config?) throws -> Store {
        let path = databasePath(config)
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure("no database at \(path) (run 'aggregator fetch' first, or pass --db)")
        }
        return try Store(path: path)
    }

    var terminalWidth: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 {
            return Int(size.ws_col)
        }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        return 100
    }
}

func parseSince(_ text: String?) throws -> Date? {
    guard let text else { return nil }
    guard let seconds = DurationText.seconds(text) else {
        throw Failure("--since: not a duration: '\(text)' (write e.g. 90m, 24h, 7d)")
    }
    return Date().addingTimeInterval(-seconds)
}

extension Aggregator {
    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List story clusters, newest first.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only clusters seen within this duration (e.g. 24h, 7d).", valueName: "duration"))
        var since: String?
        @Flag(help: "Every cluster regardless of age.") var all = false
        @Option(name: .customLong("min-size"), help: "Minimum number of items (default 2).") var minSize = 2
        @Option(help: ArgumentHelp("Only clusters with an item from this feed.", valueName: "name")) var feed: String?
        @Option(help: ArgumentHelp("Only clusters with an item from a feed with this tag.", valueName: "tag")) var tag: String?
        @Option(help: ArgumentHelp("Match headline and member titles.", valueName: "text")) var search: String?
        @Option(help: "At most this many clusters.") var limit: Int?
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                var query = ClusterQuery()
                query.minSize = max(1, minSize)
                if !all { query.since = try parseSince(since ?? "7d") }
                query.feed = feed
                if let tag {
                    query.feedsWithTag = (config?.feeds ?? []).filter { $0.tags.contains(tag) }.map(\.name)
                }
                query.search = search
                query.limit = limit
                let clusters = try store.clusters(query)
                switch format {
                case .json: print(Render.clustersJSON(clusters))
                case .text:
                    print(
                        Render.clustersTable(
                            clusters, width: global.terminalWidth, timeZone: config?.settings.timeZone ?? .current),
                        terminator: "")
                }
            }
        }
    }

    struct ClusterCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Show one story cluster in full.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Cluster id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                guard let cluster = try store.cluster(id: id) else { throw Failure("no cluster with id \(id)") }
                switch format {
                case .json: print(Render.clusterJSON(cluster))
                case .text: print(Render.clusterText(cluster, timeZone: config?.settings.timeZone ?? .current), terminator: "")
                }
            }
        }
    }

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One entry per story of a day, listing every portal that carried it.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The day, in the configured time zone (default today).", valueName: "YYYY-MM-DD"))
        var date: String?
        @Option(help: ArgumentHelp("Instead of a day: stories seen within this duration.", valueName: "duration"))
        var since: String?
        @Option(name: .customLong("min-sources"), help: "Hide stories carried by fewer portals than this.") var minSources = 1
        @Option(help: "Output format: text, markdown or json.") var format: Format = .text
        @Option(help: ArgumentHelp("Write to this file atomically instead of stdout.", valueName: "file")) var output: String?

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                let timeZone = config?.settings.timeZone ?? .current
                let start: Date, end: Date, label: String
                if let since {
                    guard date == nil else { throw Failure("use either --date or --since, not both") }
                    guard let from = try parseSince(since) else { throw Failure("--since needs a duration") }
                    (start, end, label) = (from, Date(), "the last \(since)")
                } else {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = timeZone
                    let day = date ?? {
                        let c = calendar.dateComponents([.year, .month, .day], from: Date())
                        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
                    }()
                    guard let window = DigestBuilder.dayWindow(day, timeZone: timeZone) else {
                        throw Failure("--date: not a date: '\(day)' (write YYYY-MM-DD)")
                    }
                    (start, end, label) = (window.0, window.1, day)
                }
                var names: [String: String] = [:]
                for feed in config?.feeds ?? [] { if let title = feed.title { names[feed.name] = title } }
                let digest = try DigestBuilder.build(
                    store: store, start: start, end: end, label: label, minSources: minSources, portalNames: names)
                let text: String
                switch format {
                case .text:
                    text = Render.digestText(
                        digest, width: global.terminalWidth, timeZone: timeZone, color: output == nil && global.useColor)
                case .markdown: text = Render.digestMarkdown(digest, timeZone: timeZone)
                case .json: text = Render.digestJSON(digest) + "\n"
                }
                if let output {
                    try AtomicFile.write(text, to: output)
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}
