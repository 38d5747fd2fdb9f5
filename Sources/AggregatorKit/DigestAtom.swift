public import Foundation

/// The digest as an Atom 1.0 feed (RFC 4287) whose entries are stories, so a feed reader can follow the
/// deduplicated stream. Entry ids are per cluster and never change (`tag:aggregator,2025:cluster/ID`); an
/// entry's `updated` is the cluster's `updated` column, which moves when another portal joins the story, so
/// readers show it again only then.
public enum DigestAtom {
    /// The tag URI authority and date (RFC 4151). Fixed: the ids must not change from year to year.
    static let tagPrefix = "tag:aggregator,2025:"

    public static func entryID(cluster: Int64) -> String { tagPrefix + "cluster/\(cluster)" }

    /// - Parameters:
    ///   - selfLink: the URL the feed will be served from, when known (`--feed-url`), for `rel="self"`.
    ///   - now: `updated` of an empty feed (a feed with entries uses its newest entry's).
    public static func render(_ digest: DigestModel, timeZone: TimeZone, selfLink: String? = nil, now: Date) -> String {
        let entries = digest.stories + digest.singles.flatMap(\.entries)
        let updated = entries.map(\.updated).max() ?? now
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        out += "  <id>\(tagPrefix)digest</id>\n"
        out += "  <title>\(xml("aggregator: stories for " + digest.label))</title>\n"
        out += "  <subtitle>\(xml(subtitle(digest, count: entries.count)))</subtitle>\n"
        out += "  <updated>\(RFC3339.format(updated))</updated>\n"
        out += "  <author><name>aggregator</name></author>\n"
        out += "  <generator version=\"\(xml(AggregatorVersion.current))\">aggregator</generator>\n"
        if let selfLink = DigestBuilder.safeLink(selfLink) {
            out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(xml(selfLink))\"/>\n"
        }
        for entry in entries { out += self.entry(entry, timeZone: timeZone) }
        out += "</feed>\n"
        return out
    }

    static func subtitle(_ digest: DigestModel, count: Int) -> String {
        count == 0
            ? "No stories for \(digest.label)."
            : "One entry per story, with every portal that carried it (\(count) \(count == 1 ? "story" : "stories"))."
    }

    static func entry(_ entry: DigestEntry, timeZone: TimeZone) -> String {
        var out = "  <entry>\n"
        out += "    <id>\(entryID(cluster: entry.cluster))</id>\n"
        out += "    <title type=\"text\">\(xml(entry.headline))</title>\n"
        out += "    <published>\(RFC3339.format(entry.firstSeen))</published>\n"
        out += "    <updated>\(RFC3339.format(entry.updated))</updated>\n"
        if let link = entry.sources.first(where: { $0.link != nil })?.link {
            out += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(xml(link))\"/>\n"
        }
        for source in entry.sources {
            if let link = source.link {
                out +=
                    "    <link rel=\"related\" type=\"text/html\" href=\"\(xml(link))\" title=\"\(xml(source.portal))\"/>\n"
            }
        }
        for portal in uniquePortals(entry) {
            out += "    <category term=\"\(xml(portal.feed))\" label=\"\(xml(portal.name))\"/>\n"
        }
        if !entry.lead.isEmpty {
            out += "    <summary type=\"text\">\(xml(entry.lead))</summary>\n"
        }
        out += "    <content type=\"html\">\(xml(contentHTML(entry, timeZone: timeZone)))</content>\n"
        out += "  </entry>\n"
        return out
    }

    static func uniquePortals(_ entry: DigestEntry) -> [(feed: String, name: String)] {
        var seen = Set<String>()
        return entry.sources.compactMap { seen.insert($0.feed).inserted ? ($0.feed, $0.portal) : nil }
    }

    /// The entry's body: the lead and the list of portals, built from escaped text only (no feed HTML).
    static func contentHTML(_ entry: DigestEntry, timeZone: TimeZone) -> String {
        var html = ""
        if !entry.lead.isEmpty { html += "<p>\(escapeHTML(entry.lead))</p>" }
        let count = entry.portalCount
        html += "<p>Carried by \(count) \(count == 1 ? "portal" : "portals"):</p><ul>"
        for source in entry.sources {
            var label = "<b>\(escapeHTML(source.portal))</b>"
            if source.titleDiffers { label += ": \(escapeHTML(source.title))" }
            if let link = source.link { label = "<a href=\"\(escapeHTML(link))\">\(label)</a>" }
            if let published = source.published { label += " (\(escapeHTML(Render.shortTime(published, timeZone))))" }
            html += "<li>\(label)</li>"
        }
        return html + "</ul>"
    }

    /// Text for HTML: `& < > " '` as references, control characters dropped.
    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for scalar in DigestContext.clean(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for XML 1.0 character data and attributes: escaped, and stripped of the characters XML 1.0 forbids
    /// (C0 controls but tab/newline/return, lone surrogates cannot occur in a Swift string, U+FFFE, U+FFFF).
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&apos;"
            case 0x09, 0x0A: out.unicodeScalars.append(scalar)
            case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
