public import Foundation
public import Store

/// Text and JSON renderings of clusters and digests.
public enum Render {
    // MARK: JSON

    static func jsonString(_ value: Any) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func orNull(_ value: Any?) -> Any { value ?? NSNull() }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    static func clusterObject(_ cluster: StoredCluster) -> [String: Any] {
        [
            "id": cluster.id,
            "headline": cluster.headline,
            "size": cluster.items.count,
            "first_seen": RFC3339.format(cluster.firstSeen),
            "last_seen": RFC3339.format(cluster.lastSeen),
            "items": cluster.items.map(itemObject),
        ]
    }

    static func itemObject(_ item: StoredItem) -> [String: Any] {
        [
            "id": item.id, "feed": item.feed, "title": item.title, "link": orNull(item.link),
            "published": orNull(RFC3339.format(item.published)), "similarity": round(item.similarity),
        ]
    }

    /// The `clusters --format json` array.
    public static func clustersJSON(_ clusters: [StoredCluster]) -> String {
        jsonString(clusters.map(clusterObject))
    }

    public static func clusterJSON(_ cluster: StoredCluster) -> String {
        jsonString(clusterObject(cluster))
    }

    /// `cluster ID --format json`: the listing's object, each item with `representative` and its `lines`
    /// (`text`, `status`: shared, edited or own).
    public static func clusterJSON(_ view: DigestClusterView) -> String {
        var object = clusterObject(view.cluster)
        object["representative_item"] = orNull(view.cluster.representativeItemID)
        object["items"] = view.members.map { member -> [String: Any] in
            var fields = itemObject(member.item)
            fields["representative"] = member.isRepresentative
            fields["missing_lines"] = member.missingLines
            fields["lines"] = member.lines.map { ["text": $0.text, "status": $0.status.rawValue] }
            return fields
        }
        return jsonString(object)
    }

    // MARK: text

    /// `id  size  portals  first seen  headline`, fitted to `width` columns.
    public static func clustersTable(_ clusters: [StoredCluster], width: Int, timeZone: TimeZone) -> String {
        if clusters.isEmpty { return "no clusters match\n" }
        var out = pad("ID", 6) + pad("SIZE", 5) + pad("PORTALS", 8) + pad("FIRST SEEN", 17) + "HEADLINE\n"
        let headlineWidth = max(20, width - 36)
        for cluster in clusters {
            out +=
                pad(String(cluster.id), 6) + pad(String(cluster.items.count), 5) + pad(String(cluster.feeds.count), 8)
            out += pad(shortTime(cluster.firstSeen, timeZone), 17)
            out += truncate(DigestContext.clean(cluster.headline), headlineWidth) + "\n"
        }
        return out
    }

    /// One cluster: every member with its portal, title, link, time and similarity, then its text line by line
    /// against the representative's: `=` the same line, `~` edited, `+` only in this copy (lines cut to `width`).
    public static func clusterText(_ view: DigestClusterView, width: Int, timeZone: TimeZone) -> String {
        let cluster = view.cluster
        let clean = DigestContext.clean
        var out = "cluster \(cluster.id): \(clean(cluster.headline))\n"
        out +=
            "\(cluster.items.count) item(s) from \(cluster.feeds.count) portal(s), first seen \(shortTime(cluster.firstSeen, timeZone))\n"
        for member in view.members {
            let item = member.item
            out += "\n\(member.isRepresentative ? "*" : " ") [\(item.id)] \(clean(member.portal))  "
            out += "similarity \(String(format: "%.2f", item.similarity))  "
            out += "\(item.published.map { shortTime($0, timeZone) } ?? "no date")\n"
            out += "    \(clean(item.title))\n"
            if let link = member.link { out += "    \(link)\n" }
            if !member.isRepresentative {
                let counts = Dictionary(grouping: member.lines, by: \.status).mapValues(\.count)
                out += "    \(counts[.shared] ?? 0) shared, \(counts[.edited] ?? 0) edited, \(counts[.own] ?? 0) own, "
                out += "\(member.missingLines) of the representative's missing\n"
            }
            for line in member.lines {
                let mark =
                    member.isRepresentative ? " " : line.status == .shared ? "=" : line.status == .edited ? "~" : "+"
                out += "    \(mark) \(truncate(clean(line.text), max(20, width - 6)))\n"
            }
        }
        out += "\n* representative (most complete copy); = same line as it, ~ edited, + only in this copy\n"
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func truncate(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(1, width - 1))) + "…"
    }

    static func shortTime(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// Word-wraps `text` to `width` columns: the first line after `indent`, the others after `rest` (default: `indent`).
    static func wrap(_ text: String, width: Int, indent: String, rest: String? = nil) -> String {
        var lines: [String] = []
        var line = ""
        var prefix = indent
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width - prefix.count {
                lines.append(prefix + line)
                line = ""
                prefix = rest ?? indent
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(prefix + line) }
        return lines.joined(separator: "\n")
    }

    // MARK: digest

    /// Backslash-escapes what Markdown would read as markup: emphasis, code, links, images, raw HTML and
    /// entities, tables, headings, and a list marker at the start of the text. Parentheses, dots and hyphens stay:
    /// with `[` and `]` escaped no link can open.
    static func markdownEscape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            if "\\`*_[]#|<>&~".contains(character) { out.append("\\") }
            out.append(character)
        }
        // "1. " / "2) " / "- " at the start would open a list.
        if let first = out.first, first == "-" || first == "=" || first == "+" {
            out.insert("\\", at: out.startIndex)
        } else if let marker = out.firstIndex(where: { !$0.isNumber }), marker != out.startIndex,
            out[marker] == "." || out[marker] == ")"
        {
            out.insert("\\", at: marker)
        }
        return out
    }

    static func entryObject(_ entry: DigestEntry) -> [String: Any] {
        [
            "cluster": entry.cluster, "headline": entry.headline, "lead": entry.lead,
            "first_seen": RFC3339.format(entry.firstSeen), "portal_count": entry.portalCount,
            "sources": entry.sources.map { source -> [String: Any] in
                [
                    "feed": source.feed, "portal": source.portal, "title": source.title,
                    "title_differs": source.titleDiffers, "link": orNull(source.link),
                    "published": orNull(RFC3339.format(source.published)),
                ]
            },
        ]
    }

    public static func digestJSON(_ digest: DigestModel) -> String {
        jsonString([
            "label": digest.label, "start": RFC3339.format(digest.start), "end": RFC3339.format(digest.end),
            "stories": digest.stories.map(entryObject),
            "single_source": digest.singles.map { group -> [String: Any] in
                ["group": group.group, "stories": group.entries.map(entryObject)]
            },
        ])
    }
}
