public import Feeds
public import Foundation

/// What importing an OPML file into a config would do.
public struct OPMLImportPlan: Sendable {
    /// Feeds to append, in the file's order.
    public var added: [NewFeed] = []
    /// Feeds already in the config (or twice in the file): (title or URL, the name it has).
    public var skipped: [(feed: String, existing: String)] = []
    /// Outlines that are not feeds we can fetch (no `xmlUrl`, or one that is not http(s) or file).
    public var ignored: [String] = []
}

/// OPML import (outlines → `[[feeds]]`) and export (config → OPML 2.0) in the shapes feed readers exchange.
public enum OPML {
    // MARK: import

    /// Plans the import of `document` into `config`: nested folders become tags (outermost first, merged with
    /// the `category` attribute), names come from titles (else the host) made unique, and feeds whose URL the
    /// config already has are skipped.
    public static func plan(_ document: OPMLDocument, into config: Config?) -> OPMLImportPlan {
        var plan = OPMLImportPlan()
        var names = Set(config?.feeds.map(\.name) ?? [])
        var known: [String: String] = [:]
        for feed in config?.feeds ?? [] {
            known[urlKey(feed.resolvedURL)] = feed.name
            known[urlKey(feed.url)] = feed.name
        }
        func visit(_ outline: OPMLOutline, folders: [String]) {
            guard let url = outline.xmlURL else {
                if outline.children.isEmpty {
                    plan.ignored.append(outline.displayTitle ?? outline.htmlURL ?? "an untitled outline")
                    return
                }
                let folder = outline.displayTitle.map { [$0] } ?? []
                for child in outline.children { visit(child, folders: folders + folder) }
                return
            }
            let label = outline.displayTitle ?? url
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") else {
                plan.ignored.append(label)
                return
            }
            if let existing = known[urlKey(url)] {
                plan.skipped.append((label, existing))
                return
            }
            var tags: [String] = []
            for tag in folders + categories(outline.category) where !tags.contains(tag) { tags.append(tag) }
            var name =
                outline.extensions["name"].flatMap { isValidName($0) ? $0 : nil } ?? slug(outline.displayTitle ?? "")
            if name.isEmpty { name = slug(host(of: url) ?? "feed") }
            if name.isEmpty { name = "feed" }
            name = unique(name, in: names)
            names.insert(name)
            known[urlKey(url)] = name
            // Our export writes the name as the text of an untitled feed: that is not a title.
            let title = outline.displayTitle == outline.extensions["name"] ? nil : outline.displayTitle
            plan.added.append(
                NewFeed(
                    name: name, url: url, title: title, tags: tags,
                    interval: duration(outline.extensions["interval"]),
                    timeout: duration(outline.extensions["timeout"]),
                    keep: duration(outline.extensions["keep"])))
            // A feed outline with children (rare, but some readers nest) still contributes its children.
            for child in outline.children { visit(child, folders: folders) }
        }
        for outline in document.outlines { visit(outline, folders: []) }
        return plan
    }

    /// Tags from an OPML 2.0 `category` attribute: `"/News/Aceh,sport"` gives News, Aceh, sport.
    static func categories(_ attribute: String?) -> [String] {
        guard let attribute else { return [] }
        return attribute.split(separator: ",").flatMap { entry in
            entry.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    static func duration(_ text: String?) -> String? {
        guard let text, let seconds = DurationText.seconds(text), seconds > 0 else { return nil }
        return text
    }

    /// Whether two feed URLs name the same feed (see `urlKey`).
    public static func sameFeed(_ a: String, _ b: String) -> Bool { urlKey(a) == urlKey(b) }

    /// Levenshtein distance, for "did you mean".
    public static func editDistance(_ a: String, _ b: String) -> Int { Suggest.distance(a, b) }

    /// Compares feed URLs loosely: scheme and host case, a trailing slash and `www.` do not make a new feed.
    static func urlKey(_ url: String) -> String {
        var key = url.trimmingCharacters(in: .whitespaces).lowercased()
        for scheme in ["https://", "http://"] where key.hasPrefix(scheme) {
            key.removeFirst(scheme.count)
        }
        if key.hasPrefix("www.") { key.removeFirst(4) }
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }

    static func host(of url: String) -> String? {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return nil }
        return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
    }

    /// A feed name from a title: lower-case ASCII letters and digits, other runs become one `-`, at most 48.
    public static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        var out = ""
        for scalar in folded.unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty && !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > 48 {
            out = String(out.prefix(48))
            while out.hasSuffix("-") { out.removeLast() }
        }
        return out
    }

    public static func isValidName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        return !name.isEmpty && name.count <= 64 && name.allSatisfy { allowed.contains($0) }
    }

    /// `name`, or `name-2`, `name-3`... when taken.
    public static func unique(_ name: String, in taken: Set<String>) -> String {
        guard taken.contains(name) else { return name }
        var counter = 2
        while taken.contains("\(name)-\(counter)") { counter += 1 }
        return "\(name)-\(counter)"
    }

    // MARK: export

    /// The config's feeds as OPML 2.0: feeds with tags sit in a folder named after their first tag (how most
    /// readers import folders), every tag is also in `category`, and `aggregator:*` attributes keep names and
    /// per-feed settings for a lossless round trip. `siteLinks` (feed name → site URL) fill `htmlUrl`.
    public static func export(_ config: Config, siteLinks: [String: String] = [:], now: Date = Date()) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<opml version=\"2.0\" xmlns:aggregator=\"\(OPMLReader.namespace)\">\n"
        out += "  <head>\n    <title>aggregator feeds</title>\n"
        out += "    <dateCreated>\(rfc822(now))</dateCreated>\n  </head>\n  <body>\n"
        var folders: [String: [FeedConfig]] = [:]
        var folderOrder: [String] = []
        for feed in config.feeds {
            guard let folder = feed.tags.first else { continue }
            if folders[folder] == nil { folderOrder.append(folder) }
            folders[folder, default: []].append(feed)
        }
        func outline(_ feed: FeedConfig, indent: String) -> String {
            let title = feed.title ?? feed.name
            var attributes = [("type", "rss"), ("text", title), ("title", title), ("xmlUrl", feed.resolvedURL)]
            if let site = siteLinks[feed.name] { attributes.append(("htmlUrl", site)) }
            if !feed.tags.isEmpty { attributes.append(("category", feed.tags.joined(separator: ","))) }
            attributes.append(("aggregator:name", feed.name))
            if let interval = feed.interval {
                attributes.append(("aggregator:interval", DurationText.format(interval)))
            }
            if let timeout = feed.timeout { attributes.append(("aggregator:timeout", DurationText.format(timeout))) }
            if let keep = feed.keep { attributes.append(("aggregator:keep", DurationText.format(keep))) }
            return indent + "<outline " + attributes.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: " ")
                + "/>\n"
        }
        for feed in config.feeds where feed.tags.isEmpty { out += outline(feed, indent: "    ") }
        for folder in folderOrder {
            out += "    <outline text=\"\(escape(folder))\" title=\"\(escape(folder))\">\n"
            for feed in folders[folder] ?? [] { out += outline(feed, indent: "      ") }
            out += "    </outline>\n"
        }
        out += "  </body>\n</opml>\n"
        return out
    }

    /// Text for an XML attribute value: markup characters escaped, line breaks and tabs kept as references,
    /// other control characters (not allowed in XML 1.0) dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default:
                if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
