import AggregatorKit
import ArgumentParser
import Feeds
import Fetch
import Foundation

extension Aggregator {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a feed by its URL or by a web page that links to it.",
            discussion: """
                A page's feeds are found from its <link rel="alternate"> tags. When it offers several, you are asked \
                which one (or pass --pick N); without a terminal the choices are listed and the command exits 1. \
                The feed is fetched and parsed once to check it, then appended to feeds.toml (your text stays).
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Feed URL, web page URL or bare host (example.com).") var url: String
        @Option(help: ArgumentHelp("Short name, a-z 0-9 _ - (default: from the feed's title).", valueName: "name"))
        var name: String?
        @Option(help: ArgumentHelp("Tag (repeatable).", valueName: "tag")) var tag: [String] = []
        @Option(help: ArgumentHelp("When the page offers several feeds, take the Nth (from 1).", valueName: "n"))
        var pick: Int?

        func validate() throws {
            if let name, !OPML.isValidName(name) {
                throw ValidationError("--name '\(name)' must be 1-64 characters of a-z, 0-9, '_' and '-'")
            }
            if tag.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("--tag must not be empty")
            }
        }

        func run() async throws {
            try await guarded {
                let configPath = global.configPath
                let config = FileManager.default.fileExists(atPath: configPath) ? try global.loadConfig() : nil
                let settings = try config?.settings ?? Config.parse("", path: configPath).settings
                let fetcher = Fetcher(
                    options: FetcherOptions(concurrency: 1, perHost: 1, userAgent: settings.userAgent))

                // A feed already configured is refused before any request.
                try refuseDuplicate(FeedDiscovery.normalizedURL(url), config: config)
                let target = try await FeedDiscovery.resolve(url, fetcher: fetcher, timeout: settings.timeout)
                let feedURL: String
                let parsed: ParsedFeed
                switch target {
                case .feed(let url, let feed):
                    (feedURL, parsed) = (url, feed)
                case .page(let page, let feeds):
                    let chosen = try choose(from: feeds, page: page)
                    feedURL = chosen.url
                    parsed = try await FeedDiscovery.check(chosen.url, fetcher: fetcher, timeout: settings.timeout)
                }

                try refuseDuplicate(feedURL, config: config)
                let taken = Set(config?.feeds.map(\.name) ?? [])
                let feedName: String
                if let name {
                    guard !taken.contains(name) else {
                        throw Failure("a feed named '\(name)' is already in \(configPath)")
                    }
                    feedName = name
                } else {
                    var base = OPML.slug(parsed.feed.title ?? "")
                    if base.isEmpty { base = OPML.slug(URLComponents(string: feedURL)?.host ?? "feed") }
                    feedName = OPML.unique(base.isEmpty ? "feed" : base, in: taken)
                }
                let title = parsed.feed.title.flatMap { $0.isEmpty ? nil : $0 }
                let tags = tag.map { $0.trimmingCharacters(in: .whitespaces) }
                _ = try ConfigEditor.append(
                    [NewFeed(name: feedName, url: feedURL, title: title, tags: tags)], toFile: configPath)
                if !global.quiet {
                    let count = parsed.feed.items.count
                    print(
                        "added '\(feedName)' (\(title ?? "untitled"), \(parsed.feed.format.rawValue), \(count) item\(count == 1 ? "" : "s") now) to \(configPath): \(feedURL)"
                    )
                }
            }
        }

        func refuseDuplicate(_ feedURL: String, config: Config?) throws {
            for feed in config?.feeds ?? []
            where OPML.sameFeed(feed.resolvedURL, feedURL) || OPML.sameFeed(feed.url, feedURL) {
                throw Failure("\(feedURL) is already in \(global.configPath) as '\(feed.name)'")
            }
        }

        /// The feed to add from a page's list: the only one, `--pick N`, or the user's answer on a terminal.
        func choose(from feeds: [DiscoveredFeed], page: String) throws -> DiscoveredFeed {
            if let pick {
                guard pick >= 1 && pick <= feeds.count else {
                    throw Failure(
                        "--pick \(pick): \(page) offers \(feeds.count) feed\(feeds.count == 1 ? "" : "s") (1-\(feeds.count))"
                    )
                }
                return feeds[pick - 1]
            }
            if feeds.count == 1, let only = feeds.first { return only }
            let listing = feeds.enumerated().map { index, feed in
                "  \(index + 1)  \(feed.title ?? "(untitled)")  \(feed.url)  [\(feed.type)]"
            }.joined(separator: "\n")
            guard isatty(STDIN_FILENO) == 1 else {
                print("\(page) offers \(feeds.count) feeds:\n\(listing)")
                throw Failure("\(page) offers \(feeds.count) feeds; pass --pick N to choose one")
            }
            printError("\(page) offers \(feeds.count) feeds:\n\(listing)")
            while true {
                FileHandle.standardError.write(Data("add which one? [1-\(feeds.count)] ".utf8))
                guard let answer = readLine() else { throw Failure("no feed chosen") }
                if let number = Int(answer.trimmingCharacters(in: .whitespaces)), number >= 1, number <= feeds.count {
                    return feeds[number - 1]
                }
            }
        }
    }
}
