import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full-text search over titles and text, one result per story.",
            discussion: """
                Every word must match (diacritics and case ignored); "a phrase" in quotes, prefix* and OR work. \
                Ranked with bm25 (a title match counts more than one in the text).
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Words to look for.") var query: [String]
        @Option(help: ArgumentHelp("Only items published within this duration (e.g. 7d).", valueName: "duration"))
        var since: String?
        @Option(help: ArgumentHelp("Only items of this feed (repeatable).", valueName: "name")) var feed: [String] = []
        @Option(help: "At most this many stories.") var limit = 20
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let store = try global.openStore(config)
                var search = SearchQuery(text: query.joined(separator: " "))
                search.since = try parseSince(since)
                search.feeds = feed.isEmpty ? nil : feed
                search.limit = max(1, limit)
                let color = format == .text && global.useColor
                search.highlight = format == .json ? ("", "") : color ? ("\u{1B}[1;33m", "\u{1B}[0m") : ("[", "]")
                // The index is brought up to date here, not by fetch: say so when that takes a while.
                let pending = try store.searchIndexPending()
                if pending >= 5_000 {
                    FileHandle.standardError.write(Data("aggregator: indexing \(pending) new items for search…\n".utf8))
                }
                let results = try store.search(search)
                let timeZone = config?.settings.timeZone ?? .current
                switch format {
                case .json: print(SearchRender.json(results))
                case .text:
                    print(
                        SearchRender.text(results, query: search.text, timeZone: timeZone, width: global.terminalWidth),
                        terminator: "")
                }
            }
        }
    }
}

/// Text and JSON for `aggregator search`.
enum SearchRender {
    static func text(_ results: [SearchResult], query: String, timeZone: TimeZone, width: Int) -> String {
        if results.isEmpty { return "no stories match \"\(query)\"\n" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var out = ""
        for result in results {
            guard let best = result.hits.first else { continue }
            let portals = result.feeds.count == 1 ? "1 portal" : "\(result.feeds.count) portals"
            out += "\(best.highlightedTitle)\n"
            out += "  cluster \(result.clusterID) · \(portals): \(result.feeds.joined(separator: ", ")) · "
            out += formatter.string(from: best.item.published ?? best.item.itemTime) + "\n"
            if !best.snippet.isEmpty { out += "  \(best.snippet.replacingOccurrences(of: "\n", with: " "))\n" }
            if let link = best.item.link { out += "  \(link)\n" }
            out += "\n"
        }
        return out
    }

    static func json(_ results: [SearchResult]) -> String {
        let array: [[String: Any]] = results.map { result in
            [
                "cluster": result.clusterID, "headline": result.headline, "size": result.size, "feeds": result.feeds,
                "score": (result.score * 1000).rounded() / 1000,
                "items": result.hits.map { hit -> [String: Any] in
                    [
                        "id": hit.item.id, "feed": hit.item.feed, "title": hit.item.title,
                        "link": hit.item.link as Any? ?? NSNull(),
                        "published": hit.item.published.map { RFC3339.format($0) as Any } ?? NSNull(),
                        "snippet": hit.snippet, "score": (hit.score * 1000).rounded() / 1000,
                    ]
                },
            ]
        }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: array, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
