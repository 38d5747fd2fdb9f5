public import Foundation
import Feeds
public import Store

/// One portal's copy of a story in the digest.
public struct DigestSource: Sendable, Codable {
    public var feed: String
    public var portal: String
    public var title: String
    /// True when this copy's title differs from the story's headline.
    public var titleDiffers: Bool
    public var link: String?
    public var published: Date?
}

/// One story: a cluster, with every portal that carried it.
public struct DigestEntry: Sendable, Codable {
    public var cluster: Int64
    public var headline: String
    public var lead: String
    public var firstSeen: Date
    public var sources: [DigestSource]
    public var portalCount: Int
}

/// The stories of a period: multi-portal stories first, then single-portal ones grouped by feed.
public struct DigestModel: Sendable {
    public var label: String
    public var start: Date
    public var end: Date
    public var stories: [DigestEntry]
    public var singles: [(group: String, entries: [DigestEntry])]

    public var isEmpty: Bool { stories.isEmpty && singles.isEmpty }
}

/// Builds the digest from the store.
public enum DigestBuilder {
    /// The window of `--date YYYY-MM-DD` in `timeZone`: [midnight, next midnight).
    public static func dayWindow(_ text: String, timeZone: TimeZone) -> (Date, Date)? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components),
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        return (start, end)
    }

    /// Stories with an item in [start, end), ranked by distinct portals, then recency.
    public static func build(
        store: Store, start: Date, end: Date, label: String, minSources: Int, portalNames: [String: String]
    ) throws -> DigestModel {
        var query = ClusterQuery()
        query.since = start
        query.until = end
        query.minSize = 1
        let clusters = try store.clusters(query)
        var entries: [DigestEntry] = []
        for cluster in clusters {
            let members = cluster.items
            guard !members.isEmpty else { continue }
            let representative = members.first { $0.id == cluster.representativeItemID } ?? members[0]
            var sources: [DigestSource] = []
            for member in members {
                let portal = portalNames[member.feed] ?? member.feedTitle ?? member.feed
                sources.append(
                    DigestSource(
                        feed: member.feed, portal: portal, title: member.title,
                        titleDiffers: normalizeTitle(member.title) != normalizeTitle(cluster.headline),
                        link: safeLink(member.link), published: member.published))
            }
            entries.append(
                DigestEntry(
                    cluster: cluster.id, headline: cluster.headline, lead: lead(of: representative),
                    firstSeen: cluster.firstSeen, sources: sources, portalCount: cluster.feeds.count))
        }
        let multi = entries.filter { $0.portalCount >= 2 && $0.portalCount >= minSources }.sorted {
            ($0.portalCount, $0.firstSeen) > ($1.portalCount, $1.firstSeen)
        }
        var singles: [(String, [DigestEntry])] = []
        if minSources <= 1 {
            var groups: [String: [DigestEntry]] = [:]
            for entry in entries where entry.portalCount < 2 {
                groups[entry.sources[0].portal, default: []].append(entry)
            }
            singles = groups.keys.sorted().map { key in
                (key, (groups[key] ?? []).sorted { $0.firstSeen > $1.firstSeen })
            }
        }
        return DigestModel(label: label, start: start, end: end, stories: multi, singles: singles)
    }

    /// Only http(s) links reach any output.
    static func safeLink(_ link: String?) -> String? {
        guard let link else { return nil }
        let lower = link.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") ? link : nil
    }

    static func normalizeTitle(_ title: String) -> String {
        title.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// A short plain-text lead from the most complete copy, cut at a sentence boundary.
    static func lead(of item: StoredItem, limit: Int = 320) -> String {
        var text = ""
        if let content = item.content, !content.isEmpty {
            text = HTMLText.plainText(fromHTML: content)
        }
        if text.isEmpty { text = item.summary ?? "" }
        text = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard text.count > limit else { return text }
        let window = String(text.prefix(limit))
        if let range = window.range(of: ". ", options: .backwards), window.distance(from: window.startIndex, to: range.lowerBound) > limit / 3 {
            return String(window[..<range.lowerBound]) + "."
        }
        if let space = window.lastIndex(of: " ") { return String(window[..<space]) + "…" }
        return window + "…"
    }
}
