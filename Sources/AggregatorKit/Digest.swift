import Feeds
public import Foundation
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
    /// The cluster's `updated` column: bumped when another portal joins the story (Atom's `updated`).
    public var updated: Date
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
    /// - Parameters:
    ///   - minSources: hide stories carried by fewer distinct portals than this (1 shows single-portal stories).
    ///   - portalNames: display name per feed name (the config's `title`).
    ///   - groupNames: the group a single-portal story of a feed is listed under (default: the portal's name).
    public static func build(
        store: Store, start: Date, end: Date, label: String, minSources: Int, portalNames: [String: String],
        groupNames: [String: String] = [:]
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
                    firstSeen: cluster.firstSeen, updated: cluster.updated, sources: sources,
                    portalCount: cluster.feeds.count))
        }
        let multi = entries.filter { $0.portalCount >= 2 && $0.portalCount >= minSources }.sorted(by: ranksBefore)
        var singles: [(String, [DigestEntry])] = []
        if minSources <= 1 {
            var groups: [String: [DigestEntry]] = [:]
            for entry in entries where entry.portalCount < 2 {
                let source = entry.sources[0]
                groups[groupNames[source.feed] ?? source.portal, default: []].append(entry)
            }
            singles = groups.keys.sorted().map { key in
                (key, (groups[key] ?? []).sorted { ($0.firstSeen, $0.cluster) > ($1.firstSeen, $1.cluster) })
            }
        }
        return DigestModel(label: label, start: start, end: end, stories: multi, singles: singles)
    }

    /// The ranking: more distinct portals first, then the most recent, then the newer cluster (a stable order).
    static func ranksBefore(_ a: DigestEntry, _ b: DigestEntry) -> Bool {
        (a.portalCount, a.firstSeen, a.cluster) > (b.portalCount, b.firstSeen, b.cluster)
    }

    /// Only absolute http(s) links reach any output, with every character that could end an attribute, a
    /// Markdown link or a line (quotes, angle brackets, back-ticks, white space, controls) percent-encoded.
    public static func safeLink(_ link: String?) -> String? {
        guard let link else { return nil }
        let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), trimmed.count > 8 else { return nil }
        var out = ""
        for scalar in trimmed.unicodeScalars {
            switch scalar {
            case "\"", "'", "<", ">", "`", " ", "\\", "^", "{", "}", "|":
                out += String(format: "%%%02X", scalar.value)
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += String(format: "%%%02X", scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func normalizeTitle(_ title: String) -> String {
        title.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// A short plain-text lead from the most complete copy: its first paragraphs that read as prose (ending in
    /// a full stop, question or exclamation mark, or a closing quote; so "Baca juga: ..." links, captions and
    /// bylines are skipped), up to about `limit` characters, a long first paragraph cut at a sentence boundary.
    static func lead(of item: StoredItem, limit: Int = 320) -> String {
        let paragraphs = DigestClusterView.lines(of: item)
        let prose = paragraphs.filter { paragraph in
            guard let last = paragraph.last else { return false }
            return ".!?\"”’…".contains(last)
        }
        var text = ""
        for paragraph in prose.isEmpty ? Array(paragraphs.prefix(1)) : prose {
            if text.isEmpty {
                text = paragraph
            } else if text.count + 1 + paragraph.count <= limit {
                text += " " + paragraph
            } else {
                break
            }
            if text.count >= limit / 2 { break }
        }
        return cut(text, limit: limit)
    }

    /// `text` cut to at most `limit` characters at a sentence boundary, else at a word with an ellipsis.
    static func cut(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        let window = String(text.prefix(limit))
        if let range = window.range(of: ". ", options: .backwards),
            window.distance(from: window.startIndex, to: range.lowerBound) > limit / 3
        {
            return String(window[..<range.lowerBound]) + "."
        }
        if let space = window.lastIndex(of: " ") { return String(window[..<space]) + "…" }
        return window + "…"
    }
}
