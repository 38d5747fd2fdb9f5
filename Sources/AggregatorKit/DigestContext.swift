public import Foundation
import Store

/// The values a digest or cluster template gets (documented in the README, "Digest templates").
///
/// Every value is a dictionary, array, string, number, bool or `NSNull`. An absent value is `NSNull`, never a
/// missing key, because Mustache looks a missing key up in the enclosing sections: a source without a link
/// would otherwise show its story's link. Every string from a feed has its control characters removed (so
/// text output cannot move the terminal's cursor); the template's content type does the escaping.
public struct DigestContext: Sendable {
    public var timeZone: TimeZone
    /// Terminal width for the `*_wrapped` helpers of the text template.
    public var width: Int
    /// ANSI bold/dim/reset codes for the text template (empty strings when false).
    public var color: Bool
    /// File name of the page of a cluster, when pages are written beside the digest (`--output-dir`).
    public var pageName: (@Sendable (Int64) -> String)?
    /// File name of the digest page, for the cluster pages' link back.
    public var indexName: String?

    public init(
        timeZone: TimeZone, width: Int = 100, color: Bool = false, pageName: (@Sendable (Int64) -> String)? = nil,
        indexName: String? = nil
    ) {
        self.timeZone = timeZone
        self.width = width
        self.color = color
        self.pageName = pageName
        self.indexName = indexName
    }

    // MARK: digest

    /// The variables of a digest template.
    public func digest(_ digest: DigestModel) -> [String: Any] {
        let stories = digest.stories.enumerated().map { story($1, rank: $0 + 1, multi: true, day: digest.start) }
        let groups = digest.singles.map { group -> [String: Any] in
            [
                "name": Self.clean(group.group), "count": group.entries.count,
                "stories": group.entries.map { story($0, rank: nil, multi: false, day: digest.start) },
            ]
        }
        var portals = Set<String>()
        for entry in digest.stories + digest.singles.flatMap(\.entries) {
            for source in entry.sources { portals.insert(source.feed) }
        }
        let singleCount = digest.singles.reduce(0) { $0 + $1.entries.count }
        var values = common()
        values["title"] = "Digest for " + Self.clean(digest.label)
        values["label"] = Self.clean(digest.label)
        values["label_long"] = Self.longLabel(digest.label, timeZone)
        values["start"] = Self.localTime(digest.start, timeZone)
        values["end"] = Self.localTime(digest.end, timeZone)
        values["start_iso"] = RFC3339.format(digest.start)
        values["end_iso"] = RFC3339.format(digest.end)
        values["empty"] = digest.isEmpty
        values["story_count"] = digest.stories.count
        values["stories_noun"] = digest.stories.count == 1 ? "story" : "stories"
        values["single_count"] = singleCount
        values["portal_count"] = portals.count
        values["portals_noun"] = portals.count == 1 ? "portal" : "portals"
        values["has_stories"] = !digest.stories.isEmpty
        values["has_singles"] = !groups.isEmpty
        values["stories"] = stories
        values["groups"] = groups
        return values
    }

    func common() -> [String: Any] {
        [
            "timezone": timeZone.identifier,
            "bold": color ? "\u{1B}[1m" : "", "dim": color ? "\u{1B}[2m" : "", "reset": color ? "\u{1B}[0m" : "",
            "index_page": indexName.map { $0 as Any } ?? NSNull(),
            "generator": "aggregator \(AggregatorVersion.current)",
        ]
    }

    func story(_ entry: DigestEntry, rank: Int?, multi: Bool, day: Date) -> [String: Any] {
        let sources = entry.sources.enumerated().map { index, source -> [String: Any] in
            let title = Self.clean(source.title)
            let portal = Self.clean(source.portal)
            var line = "- " + portal
            if source.titleDiffers { line += ": " + title }
            return [
                "portal": portal, "feed": Self.clean(source.feed), "title": title,
                "title_differs": source.titleDiffers, "link": source.link.map { $0 as Any } ?? NSNull(),
                "published": source.published.map { Self.localTime($0, timeZone) as Any } ?? NSNull(),
                "published_time": source.published.map { Self.clock($0, since: entry.firstSeen, timeZone) as Any }
                    ?? NSNull(),
                "published_iso": source.published.map { RFC3339.format($0) as Any } ?? NSNull(),
                "first": index == 0,
                "line_wrapped": Render.wrap(line, width: width, indent: "   ", rest: "     "),
            ]
        }
        let headline = Self.clean(entry.headline)
        let lead = Self.clean(entry.lead)
        let first = entry.sources.first
        return [
            "rank": rank.map { $0 as Any } ?? NSNull(), "cluster": entry.cluster, "headline": headline, "lead": lead,
            "has_lead": !lead.isEmpty, "multi": multi,
            "first_seen": Self.localTime(entry.firstSeen, timeZone),
            "first_seen_time": Self.clock(entry.firstSeen, since: day, timeZone),
            "first_seen_iso": RFC3339.format(entry.firstSeen), "updated_iso": RFC3339.format(entry.updated),
            "portal_count": entry.portalCount, "size": entry.sources.count,
            "page": multi ? (pageName?(entry.cluster)).map { $0 as Any } ?? NSNull() : NSNull(),
            "link": first?.link.map { $0 as Any } ?? NSNull(),
            "portal": first.map { Self.clean($0.portal) as Any } ?? NSNull(),
            "sources": sources,
            "line_wrapped": Render.wrap("- " + headline, width: width, indent: "", rest: "  "),
            "lead_wrapped": Render.wrap(lead, width: width, indent: "   "),
        ]
    }

    // MARK: cluster page

    /// The variables of a cluster template.
    public func cluster(_ view: DigestClusterView) -> [String: Any] {
        let cluster = view.cluster
        var values = common()
        let headline = Self.clean(cluster.headline)
        values["title"] = headline
        values["cluster"] = cluster.id
        values["headline"] = headline
        values["size"] = cluster.items.count
        values["portal_count"] = cluster.feeds.count
        values["first_seen"] = Self.localTime(cluster.firstSeen, timeZone)
        values["first_seen_iso"] = RFC3339.format(cluster.firstSeen)
        values["updated_iso"] = RFC3339.format(cluster.updated)
        values["members"] = view.members.map { member -> [String: Any] in
            let item = member.item
            let counts = Dictionary(grouping: member.lines, by: \.status).mapValues(\.count)
            return [
                "id": item.id, "portal": Self.clean(member.portal), "feed": Self.clean(item.feed),
                "title": Self.clean(item.title), "link": member.link.map { $0 as Any } ?? NSNull(),
                "published": item.published.map { Self.localTime($0, timeZone) as Any } ?? NSNull(),
                "similarity": String(format: "%.2f", item.similarity),
                "representative": member.isRepresentative,
                "shared_count": counts[.shared] ?? 0, "edited_count": counts[.edited] ?? 0,
                "own_count": counts[.own] ?? 0, "missing_count": member.missingLines,
                "has_lines": !member.lines.isEmpty,
                "lines": member.lines.map { line -> [String: Any] in
                    [
                        "text": Self.clean(line.text), "status": line.status.rawValue,
                        "shared": line.status == .shared, "edited": line.status == .edited, "own": line.status == .own,
                    ]
                },
            ]
        }
        return values
    }

    // MARK: helpers

    /// Drops control characters (C0 but tab and newline, DEL, C1) and the Unicode bidi overrides that could make
    /// text read differently from what it is.
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A: out.append(scalar)
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// "Friday, 8 August 2025" for a day's label, "Stories of the last 24h" for a `--since` label.
    static func longLabel(_ label: String, _ timeZone: TimeZone) -> String {
        guard let (start, _) = DigestBuilder.dayWindow(label, timeZone: timeZone) else {
            return "Stories of " + clean(label)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEEE, d MMMM yyyy"
        return formatter.string(from: start)
    }

    static func localTime(_ date: Date, _ timeZone: TimeZone) -> String { Render.shortTime(date, timeZone) }

    static func clock(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }

    /// "HH:mm" on the same local day as `reference`, "d MMM HH:mm" on another day.
    static func clock(_ date: Date, since reference: Date, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        if calendar.isDate(date, inSameDayAs: reference) { return clock(date, timeZone) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "d MMM HH:mm"
        return formatter.string(from: date)
    }
}
