/// Allowlist HTML sanitizer: keeps harmless formatting, drops scripts, frames, forms, event handlers, styles
/// and dangerous URL schemes, resolves every relative URL (href, src, srcset, ...) against a base, and
/// closes what it opened so the fragment cannot swallow the page around it.
enum HTMLSanitizer {
    static let allowedElements: Set<String> = [
        "a", "abbr", "acronym", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote", "br",
        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
        "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
        "ins", "kbd", "li", "main", "mark", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp",
        "section", "small", "source", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video", "wbr", "nav", "label", "track",
    ]
    /// Elements dropped together with everything inside them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "applet", "frame", "frameset", "noframes", "noembed",
        "template", "title", "head", "select", "textarea", "button", "svg", "math", "xml", "meta", "link", "base",
    ]
    static let voidElements: Set<String> = ["br", "img", "hr", "wbr", "source", "col", "track"]
    static let allowedAttributes: Set<String> = [
        "href", "src", "srcset", "alt", "title", "width", "height", "colspan", "rowspan", "align", "valign", "cite",
        "datetime", "lang", "dir", "start", "reversed", "controls", "poster", "loop", "scope", "headers", "abbr",
        "border", "cellpadding", "cellspacing", "hspace", "vspace", "type", "span", "media", "sizes", "label",
        "kind", "srclang", "open", "value", "color", "size", "face", "longdesc", "rel",
    ]
    static let urlAttributes: Set<String> = ["href", "src", "cite", "poster", "longdesc"]

    /// Sanitized copy of the HTML in `s`.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> [UInt8] {
        let base = URLBase(base)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var open: [String] = []
        var scanner = HTMLScanner(s)
        loop: while true {
            switch scanner.next() {
            case .end:
                break loop
            case .text(let r):
                escapeStrayMarkup(UnsafeBufferPointer(rebasing: s[r]), into: &out)
            case .cdata(let r):
                escapeText(UnsafeBufferPointer(rebasing: s[r]), into: &out)
            case .ignorable:
                break
            case .startTag(let name, let attrs, let selfClosing):
                if droppedWithContent.contains(name) {
                    if !selfClosing && !(name == "meta" || name == "link" || name == "base" || name == "embed") {
                        scanner.skipRawText(until: name)
                    }
                    continue
                }
                guard allowedElements.contains(name) else { continue }
                out.append(UInt8(ascii: "<"))
                out.append(contentsOf: name.utf8)
                for (an, av) in scanner.attributes(attrs) {
                    guard allowedAttributes.contains(an) else { continue }
                    var value = av
                    if urlAttributes.contains(an) {
                        guard let u = safeURL(value, base: base, image: name == "img" && an == "src") else { continue }
                        value = u
                    } else if an == "srcset" {
                        value = resolveSrcset(av, base: base)
                        if value.isEmpty { continue }
                    }
                    out.append(0x20)
                    out.append(contentsOf: an.utf8)
                    out.append(contentsOf: "=\"".utf8)
                    value.withUnsafeBufferPointer { escapeAttribute($0, into: &out) }
                    out.append(UInt8(ascii: "\""))
                }
                out.append(UInt8(ascii: ">"))
                if !voidElements.contains(name) && !selfClosing { open.append(name) }
            case .endTag(let name):
                guard allowedElements.contains(name), !voidElements.contains(name),
                    let k = open.lastIndex(of: name)
                else { continue }
                while open.count > k {
                    let n = open.removeLast()
                    out.append(contentsOf: "</".utf8)
                    out.append(contentsOf: n.utf8)
                    out.append(UInt8(ascii: ">"))
                }
            }
        }
        while let n = open.popLast() {
            out.append(contentsOf: "</".utf8)
            out.append(contentsOf: n.utf8)
            out.append(UInt8(ascii: ">"))
        }
        // Trim surrounding white space.
        var lo = 0
        var hi = out.count
        while lo < hi, out[lo] <= 0x20 { lo += 1 }
        while hi > lo, out[hi - 1] <= 0x20 { hi -= 1 }
        return lo == 0 && hi == out.count ? out : Array(out[lo..<hi])
    }

    static let allowedSchemes: Set<String> = [
        "http", "https", "mailto", "ftp", "tel", "news", "magnet", "irc", "ircs", "feed", "xmpp", "sms",
    ]

    /// The URL resolved against `base`, or nil when its scheme is not allowed.
    static func safeURL(_ raw: [UInt8], base: URLBase?, image: Bool) -> [UInt8]? {
        // The scheme, as browsers read it: control characters and white space inside it are ignored.
        var scheme: [UInt8] = []
        var hasScheme = false
        for c in raw {
            if c <= 0x20 { continue }
            if c == UInt8(ascii: ":") {
                hasScheme = !scheme.isEmpty
                break
            }
            guard HTMLEntities.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "."),
                scheme.count < 16
            else { break }
            scheme.append(c | (HTMLScanner.isAlpha(c) ? 0x20 : 0))
        }
        if hasScheme, let first = scheme.first, HTMLScanner.isAlpha(first) {
            let name = String(decoding: scheme, as: UTF8.self)
            if allowedSchemes.contains(name) {
                return raw.withUnsafeBufferPointer { URLBytes.needsCleaning($0) ? URLBytes.clean($0) : raw }
            }
            if name == "data", image {
                let t = String(decoding: raw.prefix(32), as: UTF8.self).lowercased().trimmingASCIISpace()
                if t.hasPrefix("data:image/") && !t.hasPrefix("data:image/svg") { return raw }
            }
            return nil
        }
        var out: [UInt8] = []
        if let base {
            raw.withUnsafeBufferPointer { base.resolve($0, into: &out) }
        } else {
            out = raw.withUnsafeBufferPointer { URLBytes.needsCleaning($0) ? URLBytes.clean($0) : raw }
        }
        return out
    }

    static func resolveSrcset(_ value: [UInt8], base: URLBase?) -> [UInt8] {
        var out: [UInt8] = []
        for candidate in value.split(separator: UInt8(ascii: ",")) {
            let fields = candidate.split(whereSeparator: { $0 <= 0x20 })
            guard let u = fields.first, let url = safeURL(Array(u), base: base, image: true) else { continue }
            if !out.isEmpty { out.append(contentsOf: [0x2C, 0x20]) }
            out.append(contentsOf: url)
            for f in fields.dropFirst() {
                out.append(0x20)
                out.append(contentsOf: f)
            }
        }
        return out
    }

    /// Text whose `<` did not start a tag: escape it so it stays text.
    static func escapeStrayMarkup(_ t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        for c in t {
            switch c {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            default: out.append(c)
            }
        }
    }

    static func escapeText(_ t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        for c in t {
            switch c {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            default: out.append(c)
            }
        }
    }

    static func escapeAttribute(_ t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        for c in t {
            switch c {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            default: out.append(c)
            }
        }
    }
}
