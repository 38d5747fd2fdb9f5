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
            "items": cluster.items.map { item -> [String: Any] in
                [
                    "id": item.id, "feed": item.feed, "title": item.title, "link": orNull(item.link),
                    "published": orNull(RFC3339.format(item.published)), "similarity": round(item.similarity),
                ]
            },
        ]
    }

    /// The `clusters --format json` array.
    public static func clustersJSON(_ clusters: [StoredCluster]) -> String {
        jsonString(clusters.map(clusterObject))
    }

    public static func clusterJSON(_ cluster: StoredCluster) -> String {
        jsonString(clusterObject(cluster))
    }

    // MARK: text

    /// `id  size  portals  first seen  headline`, fitted to `width` columns.
    public static func clustersTable(_ clusters: [StoredCluster], width: Int, timeZone: TimeZone) -> String {
        if clusters.isEmpty { return "no clusters match\n" }
        var out = pad("ID", 6) + pad("SIZE", 5) + pad("PORTALS", 8) + pad("FIRST SEEN", 17) + "HEADLINE\n"
        let headlineWidth = max(20, width - 36)
        for cluster in clusters {
            out += pad(String(cluster.id), 6) + pad(String(cluster.items.count), 5) + pad(String(cluster.feeds.count), 8)
            out += pad(shortTime(cluster.firstSeen, timeZone), 17) + truncate(cluster.headline, headlineWidth) + "\n"
        }
        return out
    }

    public static func clusterText(_ cluster: StoredCluster, timeZone: TimeZone) -> String {
        var out = "cluster \(cluster.id): \(cluster.headline)\n"
        out += "\(cluster.items.count) item(s) from \(cluster.feeds.count) portal(s), first seen \(shortTime(cluster.firstSeen, timeZone))\n\n"
        for item in cluster.items {
            let marker = item.id == cluster.representativeItemID ? "*" : " "
            out += "\(marker) [\(item.id)] \(item.feed)  similarity \(String(format: "%.2f", item.similarity))  "
            out += "\(item.published.map { shortTime($0, timeZone) } ?? "no date")\n"
            out += "    \(item.title)\n"
            if let link = item.link { out += "    \(link)\n" }
        }
        out += "\n* representative (most complete copy)\n"
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

    public static func digestText(_ digest: DigestModel, width: Int, timeZone: TimeZone, color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : "", dim = color ? "\u{1B}[2m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = "\(bold)Digest for \(digest.label)\(reset)\n"
        if digest.isEmpty {
            out += "\nNo stories for \(digest.label).\n"
            return out
        }
        out += "\(digest.stories.count) stor\(digest.stories.count == 1 ? "y" : "ies") carried by several portals\n"
        for (index, entry) in digest.stories.enumerated() {
            out += "\n\(bold)\(index + 1). \(entry.headline)\(reset)\n"
            out += "\(dim)   \(entry.portalCount) portals · first seen \(shortTime(entry.firstSeen, timeZone))\(reset)\n"
            if !entry.lead.isEmpty { out += wrap(entry.lead, width: width, indent: "   ") + "\n" }
            for source in entry.sources {
                var line = "- \(source.portal)"
                if source.titleDiffers { line += ": \(source.title)" }
                out += wrap(line, width: width, indent: "   ", rest: "     ") + "\n"
                if let link = source.link { out += "     \(dim)\(link)\(reset)\n" }
            }
        }
        for group in digest.singles {
            out += "\n\(bold)Only on \(group.group)\(reset)\n"
            for entry in group.entries {
                out += wrap("- \(entry.headline)", width: width, indent: "", rest: "  ") + "\n"
                if let link = entry.sources.first?.link { out += "  \(dim)\(link)\(reset)\n" }
            }
        }
        return out
    }

    static func markdownEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_{}[]()#+-.!|<>&".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    public static func digestMarkdown(_ digest: DigestModel, timeZone: TimeZone) -> String {
        var out = "# Digest for \(digest.label)\n"
        if digest.isEmpty { return out + "\nNo stories for \(digest.label).\n" }
        for entry in digest.stories {
            out += "\n## \(markdownEscape(entry.headline))\n\n"
            out += "*\(entry.portalCount) portals · first seen \(shortTime(entry.firstSeen, timeZone))*\n\n"
            if !entry.lead.isEmpty { out += markdownEscape(entry.lead) + "\n\n" }
            for source in entry.sources {
                let label = markdownEscape(source.portal) + (source.titleDiffers ? ": " + markdownEscape(source.title) : "")
                if let link = source.link {
                    out += "- [\(label)](<\(link.replacingOccurrences(of: ">", with: "%3E"))>)\n"
                } else {
                    out += "- \(label)\n"
                }
            }
        }
        for group in digest.singles {
            out += "\n## Only on \(markdownEscape(group.group))\n\n"
            for entry in group.entries {
                if let link = entry.sources.first?.link {
                    out += "- [\(markdownEscape(entry.headline))](<\(link.replacingOccurrences(of: ">", with: "%3E"))>)\n"
                } else {
                    out += "- \(markdownEscape(entry.headline))\n"
                }
            }
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
