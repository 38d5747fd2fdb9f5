import Foundation

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with `JSONSerialization`.
enum JSONFeedParser {
    static func parse(_ b: UnsafeBufferPointer<UInt8>, url: String?) throws(FeedError) -> ParsedFeed {
        let data = Data(buffer: b)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw FeedError(.malformed, "got invalid json, not a feed")
        }
        guard let root = object as? [String: Any], let version = root["version"] as? String,
            version.contains("jsonfeed.org/version/")
        else {
            throw FeedError(.notAFeed, "got json that is not a json feed (no jsonfeed.org version)")
        }
        var feed = Feed(format: .jsonfeed)
        let feedURL = (root["feed_url"] as? String).map { URLResolver.resolve($0, against: url) } ?? url
        feed.title = text(root["title"])
        feed.link = (root["home_page_url"] as? String).map { URLResolver.resolve($0, against: feedURL) }
        feed.description = text(root["description"])
        feed.language = root["language"] as? String
        feed.author = author(root)
        feed.image = ((root["icon"] as? String) ?? (root["favicon"] as? String)).map { URLResolver.resolve($0, against: feedURL) }
        var drafts: [ItemDraft] = []
        for case let o as [String: Any] in (root["items"] as? [Any]) ?? [] {
            let d = ItemDraft()
            if let id = o["id"] as? String {
                d.atomID = id
            } else if let n = o["id"] as? NSNumber {
                d.atomID = n.stringValue
            }
            if let u = (o["url"] as? String) ?? (o["external_url"] as? String) {
                d.link = URLResolver.resolve(u, against: feedURL)
            }
            if let t = o["title"] as? String { d.title = TextValue(bytes: Array(t.utf8), mode: .text, base: nil).plain() }
            if let s = o["summary"] as? String { d.summary = TextValue(bytes: Array(s.utf8), mode: .text, base: nil).plain() }
            if let h = o["content_html"] as? String {
                d.content = TextValue(bytes: Array(h.utf8), mode: .html, base: nil)
            } else if let t = o["content_text"] as? String {
                d.content = TextValue(bytes: Array(t.utf8), mode: .text, base: nil)
            }
            d.author = author(o)
            d.published = (o["date_published"] as? String).flatMap { DateParser.parse($0) }
            d.updated = (o["date_modified"] as? String).flatMap { DateParser.parse($0) }
            d.categories = ((o["tags"] as? [Any]) ?? []).compactMap { $0 as? String }
            d.image = ((o["image"] as? String) ?? (o["banner_image"] as? String)).map { URLResolver.resolve($0, against: feedURL) }
            for case let a as [String: Any] in (o["attachments"] as? [Any]) ?? [] {
                guard let u = a["url"] as? String else { continue }
                let len = (a["size_in_bytes"] as? NSNumber)?.intValue
                d.enclosures.append(Enclosure(url: URLResolver.resolve(u, against: feedURL), type: a["mime_type"] as? String, length: len))
            }
            drafts.append(d)
        }
        feed.items = ItemFinalizer.finalize(drafts, feed: feed, documentURL: feedURL)
        return ParsedFeed(feed: feed)
    }

    static func text(_ v: Any?) -> String? {
        guard let s = v as? String else { return nil }
        let t = HTMLText.collapsingWhitespace(s)
        return t.isEmpty ? nil : t
    }

    static func author(_ o: [String: Any]) -> String? {
        if let a = o["author"] as? [String: Any], let n = text(a["name"]) { return n }
        if let list = o["authors"] as? [Any] {
            let names = list.compactMap { ($0 as? [String: Any]).flatMap { text($0["name"]) } }
            if !names.isEmpty { return names.joined(separator: ", ") }
        }
        return nil
    }
}
