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
        @Option(help: ArgumentHelp("Only clusters with an item from a feed with this tag.", valueName: "tag")) var tag:
            String?
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
        static let configuration = CommandConfiguration(
            commandName: "cluster",
            abstract:
                "Show one story cluster in full: every copy, and which of its lines it shares with the most complete one."
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, html }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Cluster id.") var id: Int64
        @Option(help: "Output format: text, json or html.") var format: Format = .text
        @Option(help: ArgumentHelp("An html template to use instead of the bundled one.", valueName: "file"))
        var template: String?
        @Option(help: ArgumentHelp("Write to this file atomically instead of stdout.", valueName: "file")) var output:
            String?

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                let timeZone = config?.settings.timeZone ?? .current
                guard let cluster = try store.cluster(id: id) else { throw Failure("no cluster with id \(id)") }
                if template != nil && format != .html { throw Failure("--template works with --format html") }
                let view = DigestClusterView(cluster: cluster, portalNames: portalNames(config))
                let text: String
                switch format {
                case .json: text = Render.clusterJSON(view) + "\n"
                case .text: text = Render.clusterText(view, width: global.terminalWidth, timeZone: timeZone)
                case .html:
                    let context = DigestContext(timeZone: timeZone, indexName: DigestSite.indexName)
                    text = try DigestRenderer(format: .html, context: context, templatePath: template).renderCluster(
                        view)
                }
                if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
            }
        }
    }

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One entry per story of a day, listing every portal that carried it.")

        enum GroupBy: String, ExpressibleByArgument, CaseIterable { case feed, tag }
        enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, html, json, atom }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The day, in the configured time zone (default today).", valueName: "YYYY-MM-DD"))
        var date: String?
        @Option(help: ArgumentHelp("Instead of a day: stories seen within this duration.", valueName: "duration"))
        var since: String?
        @Option(
            name: .customLong("min-sources"),
            help: "Show only stories carried by at least this many portals (2 hides single-portal stories).")
        var minSources = 1
        @Option(name: .customLong("group-by"), help: "Group single-portal stories by feed or by the feed's first tag.")
        var groupBy: GroupBy = .feed
        @Option(help: "Output format: text, markdown, html, json or atom (default text; html with --output-dir).")
        var format: Format?
        @Option(
            help: ArgumentHelp(
                "A Mustache template to use instead of the bundled one (text, markdown, html).", valueName: "file"))
        var template: String?
        @Option(help: ArgumentHelp("Write to this file atomically instead of stdout.", valueName: "file")) var output:
            String?
        @Option(
            name: .customLong("output-dir"),
            help: ArgumentHelp(
                "Write index.html plus one page per multi-portal story into this folder.", valueName: "dir"))
        var outputDirectory: String?
        @Option(
            name: .customLong("feed-url"),
            help: ArgumentHelp("The Atom feed's own URL (its rel=self link).", valueName: "url"))
        var feedURL: String?

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let timeZone = config?.settings.timeZone ?? .current
                guard minSources >= 1 else { throw Failure("--min-sources must be at least 1") }
                if outputDirectory != nil {
                    guard output == nil else { throw Failure("use either --output or --output-dir, not both") }
                    guard format == nil || format == .html else {
                        throw Failure("--output-dir writes html pages; drop --format")
                    }
                }
                let store = try global.openStore(config)
                let start: Date, end: Date, label: String
                if let since {
                    guard date == nil else { throw Failure("use either --date or --since, not both") }
                    guard let from = try parseSince(since) else { throw Failure("--since needs a duration") }
                    (start, end, label) = (from, Date(), "the last \(since)")
                } else {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = timeZone
                    let day =
                        date
                        ?? {
                            let c = calendar.dateComponents([.year, .month, .day], from: Date())
                            return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
                        }()
                    guard let window = DigestBuilder.dayWindow(day, timeZone: timeZone) else {
                        throw Failure("--date: not a date: '\(day)' (write YYYY-MM-DD)")
                    }
                    (start, end, label) = (window.0, window.1, day)
                }
                var groups: [String: String] = [:]
                if groupBy == .tag {
                    for feed in config?.feeds ?? [] { groups[feed.name] = feed.tags.first ?? "untagged" }
                }
                let names = portalNames(config)
                let digest = try DigestBuilder.build(
                    store: store, start: start, end: end, label: label, minSources: minSources, portalNames: names,
                    groupNames: groups)
                if let outputDirectory {
                    let written = try DigestSite.write(
                        digest, store: store, to: outputDirectory, timeZone: timeZone, portalNames: names,
                        templatePath: template)
                    if !global.quiet { print("wrote \(written.count) page(s) to \(outputDirectory)") }
                    return
                }
                let context = DigestContext(
                    timeZone: timeZone, width: global.terminalWidth, color: output == nil && global.useColor)
                let renderer = DigestRenderer(
                    format: DigestFormat(rawValue: (format ?? .text).rawValue) ?? .text, context: context,
                    templatePath: template, feedURL: feedURL)
                let text = try renderer.render(digest)
                if let output {
                    try AtomicFile.write(text, to: output)
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}

/// Display names of the configured feeds (their `title`), by feed name.
func portalNames(_ config: Config?) -> [String: String] {
    var names: [String: String] = [:]
    for feed in config?.feeds ?? [] { if let title = feed.title { names[feed.name] = title } }
    return names
}
