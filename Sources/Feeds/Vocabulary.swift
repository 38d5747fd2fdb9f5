/// Namespace URIs feeds use, including the common wrong spellings, grouped by meaning.
enum Namespace: UInt8 {
    case none, rss, atom10, atom03, rdf, content, dc, media, itunes, xhtml, xml, other

    static func classify(_ uri: String) -> Namespace {
        let u = uri.lowercased()
        switch u {
        case "": return .none
        case "http://www.w3.org/2005/atom", "https://www.w3.org/2005/atom", "http://www.w3.org/2005/atom/": return .atom10
        case "http://purl.org/atom/ns#", "http://purl.org/atom/ns", "http://example.com/newformat#",
            "http://example.com/necho", "http://purl.org/echo/", "http://purl.org/pie/":
            return .atom03
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": return .rdf
        case "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2",
            "http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss", "http://purl.org/net/rss1.1#":
            return .rss
        case "http://www.w3.org/1999/xhtml": return .xhtml
        case "http://www.w3.org/xml/1998/namespace": return .xml
        default: break
        }
        // `String.contains` matches whole characters, so a byte match counts only in ASCII text (where every byte
        // is a character); anything else goes through `String.contains` as before.
        let ascii = u.utf8.allSatisfy { $0 < 0x80 }
        func has(_ needle: String) -> Bool { ascii ? containsBytes(u, needle) : u.contains(needle) }
        if has("purl.org/rss/1.0/modules/content") { return .content }
        if has("purl.org/dc/") { return .dc }
        if has("search.yahoo.com/mrss") || has("search.yahoo.com/mrss/") { return .media }
        if has("itunes.com/dtds/podcast") || has("apple.com/itunes") { return .itunes }
        if u.hasPrefix("http://backend.userland.com/rss") { return .rss }
        if u.hasPrefix("http://purl.org/rss/1.0") || u.hasPrefix("http://my.netscape.com/rdf/simple/0.9") { return .rss }
        return .other
    }

    /// Whether the UTF-8 of `needle` occurs in the UTF-8 of `haystack`.
    static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        let h = Array(haystack.utf8)
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        guard h.count >= n.count else { return false }
        for i in 0...(h.count - n.count) where h[i] == n[0] && h[i..<(i + n.count)].elementsEqual(n) { return true }
        return false
    }

    /// Whether this namespace carries the core RSS/Atom vocabulary (title, link, ...).
    // Inlined: asked on every element (`FeedBuilder.start`), where a call cost as much as the comparisons.
    @inline(__always) var isCore: Bool { self == .none || self == .rss || self == .atom10 || self == .atom03 }
    @inline(__always) var isAtom: Bool { self == .atom10 || self == .atom03 }
}

/// Local names the parser acts on.
enum Local: UInt8 {
    case other
    case rss, rdf, feed, channel, item, entry, image, textinput, source, html
    case title, link, description, summary, content, encoded, subtitle, tagline, info
    case guid, id, pubDate, published, updated, issued, modified, created, lastBuildDate, date
    case author, name, email, creator, managingEditor, webMaster, publisher, contributor
    case category, subject, keywords
    case enclosure, thumbnail, group
    case language, logo, icon, url, ttl, body, div, rights, copyright, fullitem

    static func classify(_ name: String) -> Local {
        switch name {
        case "rss": return .rss
        case "RDF": return .rdf
        case "feed": return .feed
        case "channel": return .channel
        case "item": return .item
        case "entry": return .entry
        case "image": return .image
        case "textinput", "textInput": return .textinput
        case "source": return .source
        case "html", "HTML": return .html
        case "title": return .title
        case "link": return .link
        case "description": return .description
        case "summary": return .summary
        case "content": return .content
        case "encoded": return .encoded
        case "subtitle": return .subtitle
        case "tagline": return .tagline
        case "info": return .info
        case "guid": return .guid
        case "id": return .id
        case "pubDate", "pubdate": return .pubDate
        case "published": return .published
        case "updated": return .updated
        case "issued": return .issued
        case "modified": return .modified
        case "created": return .created
        case "lastBuildDate": return .lastBuildDate
        case "date": return .date
        case "author": return .author
        case "name": return .name
        case "email": return .email
        case "creator": return .creator
        case "managingEditor": return .managingEditor
        case "webMaster": return .webMaster
        case "publisher": return .publisher
        case "contributor": return .contributor
        case "category": return .category
        case "subject": return .subject
        case "keywords": return .keywords
        case "enclosure": return .enclosure
        case "thumbnail": return .thumbnail
        case "group": return .group
        case "language": return .language
        case "logo": return .logo
        case "icon": return .icon
        case "url": return .url
        case "ttl": return .ttl
        case "body": return .body
        case "div": return .div
        case "rights": return .rights
        case "copyright": return .copyright
        case "fullitem": return .fullitem
        default: return .other
        }
    }

    /// Every name `classify(_:)` knows, with its class.
    static let knownNames: [(String, Local)] = [
        ("rss", .rss), ("RDF", .rdf), ("feed", .feed), ("channel", .channel), ("item", .item), ("entry", .entry),
        ("image", .image), ("textinput", .textinput), ("textInput", .textinput), ("source", .source),
        ("html", .html), ("HTML", .html), ("title", .title), ("link", .link), ("description", .description),
        ("summary", .summary), ("content", .content), ("encoded", .encoded), ("subtitle", .subtitle),
        ("tagline", .tagline), ("info", .info), ("guid", .guid), ("id", .id), ("pubDate", .pubDate),
        ("pubdate", .pubDate), ("published", .published), ("updated", .updated), ("issued", .issued),
        ("modified", .modified), ("created", .created), ("lastBuildDate", .lastBuildDate), ("date", .date),
        ("author", .author), ("name", .name), ("email", .email), ("creator", .creator),
        ("managingEditor", .managingEditor), ("webMaster", .webMaster), ("publisher", .publisher),
        ("contributor", .contributor), ("category", .category), ("subject", .subject), ("keywords", .keywords),
        ("enclosure", .enclosure), ("thumbnail", .thumbnail), ("group", .group), ("language", .language),
        ("logo", .logo), ("icon", .icon), ("url", .url), ("ttl", .ttl), ("body", .body), ("div", .div),
        ("rights", .rights), ("copyright", .copyright), ("fullitem", .fullitem)
    ]

    /// A name of at most 16 bytes packed as it is (case kept), eight bytes a word.
    private struct Packed: Equatable {
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        var hash: Int { Int(truncatingIfNeeded: (lo &* 0x9E37_79B9_7F4A_7C15 ^ hi &* 0xC2B2_AE3D_27D4_EB4F) >> 57) }
    }

    /// `knownNames` in an open-addressed table of 128 slots (`rawValue` 0, `.other`, marks an empty one).
    private static let packedTable: ([Packed], [Local]) = {
        var keys = [Packed](repeating: Packed(), count: 128)
        var values = [Local](repeating: .other, count: 128)
        for (name, v) in knownNames {
            var p = Packed()
            for (k, c) in name.utf8.enumerated() {
                if k < 8 { p.lo |= UInt64(c) << (8 * UInt64(k)) } else { p.hi |= UInt64(c) << (8 * UInt64(k - 8)) }
            }
            var j = p.hash
            while values[j] != .other { j = (j + 1) & 127 }
            keys[j] = p
            values[j] = v
        }
        return (keys, values)
    }()

    /// `classify(_:)` of a NUL-terminated name, without making a string: ASCII names of at most 16 bytes are
    /// looked up by their bytes (for ASCII, `String` equality is byte equality); others go through `classify`.
    static func classify(cString name: UnsafePointer<UInt8>) -> Local {
        var p = Packed()
        var n = 0
        while true {
            let c = name[n]
            if c == 0 { break }
            // No known name is longer than 16 bytes (`knownNamesFitTheTable` checks it).
            if n == 16 { return .other }
            if c >= 0x80 { return classify(String(cString: name)) }
            if n < 8 { p.lo |= UInt64(c) << (8 * UInt64(n)) } else { p.hi |= UInt64(c) << (8 * UInt64(n - 8)) }
            n += 1
        }
        if n == 0 { return .other }
        let (keys, values) = packedTable
        var j = p.hash
        while values[j] != .other {
            if keys[j] == p { return values[j] }
            j = (j + 1) & 127
        }
        return .other
    }
}
