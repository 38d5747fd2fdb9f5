import Foundation

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

    /// What to do with an element, decided by one table lookup per tag.
    enum ElementClass { case keep, keepVoid, dropWithContent, dropTag }
    static let elementClasses: TagNameTable<ElementClass> = {
        var t: [(String, ElementClass)] = []
        for e in allowedElements { t.append((e, voidElements.contains(e) ? .keepVoid : .keep)) }
        for e in droppedWithContent { t.append((e, .dropWithContent)) }
        return TagNameTable(t)
    }()

    enum AttributeClass { case plain, url, srcset }
    static let attributeClasses = TagNameTable<AttributeClass>(
        allowedAttributes.map { ($0, urlAttributes.contains($0) ? .url : ($0 == "srcset" ? .srcset : .plain)) })

    static let img = TagName("img")
    static let src = TagName("src")
    /// Dropped elements that are void in HTML: nothing to skip after them.
    static let voidDropped = TagNameTable<Bool>([("meta", true), ("link", true), ("base", true), ("embed", true)])

    /// Sanitized copy of the HTML in `s`.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> [UInt8] {
        let out = ByteBuffer(capacity: s.count + 64)
        let r = sanitize(s, base: base, into: out)
        return out.array(r)
    }

    /// Sanitized HTML as a string (one copy fewer than `sanitize`).
    static func sanitizedString(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        let out = ByteBuffer(capacity: s.count + 64)
        let r = sanitize(s, base: base, into: out)
        return String(decoding: UnsafeBufferPointer(rebasing: out.bytes[r]), as: UTF8.self)
    }

    /// Writes the sanitized HTML of `s` to `out` (which must start empty) in one pass over the bytes, and
    /// returns the range of `out` without surrounding white space.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?, into out: ByteBuffer) -> Range<Int> {
        var out = out
        let base = URLBase(base)
        var open: [TagName] = []
        var decoded: [UInt8] = []
        var url = ByteBuffer(capacity: 256)
        var scanner = HTMLScanner(s)
        loop: while true {
            switch scanner.next() {
            case .end:
                break loop
            case .text(let r):
                // A text token is a lone `<` or runs up to the next `<`, so only `>` needs looking for in it.
                if s[r.lowerBound] == UInt8(ascii: "<") {
                    escapeStrayMarkup(UnsafeBufferPointer(rebasing: s[r]), into: &out)
                } else {
                    escapeGreaterThan(UnsafeBufferPointer(rebasing: s[r]), into: &out)
                }
            case .cdata(let r):
                escapeText(UnsafeBufferPointer(rebasing: s[r]), into: &out)
            case .ignorable:
                break
            case .startTag(let name, let attrs, let selfClosing):
                let cls = elementClasses[name] ?? .dropTag
                if cls == .dropWithContent {
                    if !selfClosing && voidDropped[name] == nil {
                        scanner.skipRawText(until: name)
                    }
                    continue
                }
                guard cls != .dropTag else { continue }
                out.append(UInt8(ascii: "<"))
                name.append(to: &out)
                let isImg = name == img
                var j = attrs.lowerBound
                while let (an, vr) = scanner.nextAttribute(&j, end: attrs.upperBound) {
                    guard let acls = attributeClasses[an] else { continue }
                    // Without references the raw bytes are the value: no copy.
                    let raw = UnsafeBufferPointer(rebasing: s[vr])
                    if raw.contains(UInt8(ascii: "&")) {
                        decoded = HTMLScanner.decodeReferences(raw)
                        decoded.withUnsafeBufferPointer {
                            putAttribute(an, acls, $0, base: base, image: isImg && an == src, url: &url, into: &out)
                        }
                    } else {
                        putAttribute(an, acls, raw, base: base, image: isImg && an == src, url: &url, into: &out)
                    }
                }
                out.append(UInt8(ascii: ">"))
                if cls == .keep && !selfClosing { open.append(name) }
            case .endTag(let name):
                guard !open.isEmpty, elementClasses[name] == .keep, let k = open.lastIndex(of: name) else { continue }
                while open.count > k {
                    let n = open.removeLast()
                    out.append(0x3C)
                    out.append(0x2F)
                    n.append(to: &out)
                    out.append(UInt8(ascii: ">"))
                }
            }
        }
        while let n = open.popLast() {
            out.append(0x3C)
            out.append(0x2F)
            n.append(to: &out)
            out.append(UInt8(ascii: ">"))
        }
        // Trim surrounding white space.
        let o = out.bytes
        var lo = 0
        var hi = o.count
        while lo < hi, o[lo] <= 0x20 { lo += 1 }
        while hi > lo, o[hi - 1] <= 0x20 { hi -= 1 }
        return lo..<hi
    }

    /// Appends ` name="value"` for an allowed attribute: URLs resolved (dropped when unsafe), `srcset` rewritten.
    @inline(__always)
    static func putAttribute(
        _ an: TagName, _ acls: AttributeClass, _ raw: UnsafeBufferPointer<UInt8>, base: URLBase?, image: Bool,
        url: inout ByteBuffer, into out: inout ByteBuffer
    ) {
        switch acls {
        case .plain:
            putAttribute(an, raw, into: &out)
        case .url:
            url.removeAll()
            guard safeURL(raw, base: base, image: image, into: &url) else { return }
            putAttribute(an, url.bytes, into: &out)
        case .srcset:
            let value = resolveSrcset(Array(raw), base: base)
            if value.isEmpty { return }
            value.withUnsafeBufferPointer { putAttribute(an, $0, into: &out) }
        }
    }

    @inline(__always)
    static func putAttribute(_ an: TagName, _ v: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer) {
        out.append(0x20)
        an.append(to: &out)
        out.append(0x3D)
        out.append(0x22)
        escapeAttribute(v, into: &out)
        out.append(0x22)
    }

    static let allowedSchemes: Set<String> = [
        "http", "https", "mailto", "ftp", "tel", "news", "magnet", "irc", "ircs", "feed", "xmpp", "sms",
    ]
    static let allowedSchemeTable = TagNameTable<Bool>(allowedSchemes.map { ($0, true) })
    static let dataScheme = TagName("data")

    /// The URL resolved against `base`, or nil when its scheme is not allowed.
    static func safeURL(_ raw: [UInt8], base: URLBase?, image: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = raw.withUnsafeBufferPointer { safeURL($0, base: base, image: image, into: &out) }
        return ok ? out : nil
    }

    /// Appends the URL resolved against `base` to `out`; false (nothing appended) when its scheme is not allowed.
    static func safeURL<S: ByteSink>(
        _ raw: UnsafeBufferPointer<UInt8>, base: URLBase?, image: Bool, into out: inout S
    ) -> Bool {
        // The scheme, as browsers read it: control characters and white space inside it are ignored.
        var scheme = TagName()
        var hasScheme = false
        var first: UInt8 = 0
        for c in raw {
            if c <= 0x20 { continue }
            if c == UInt8(ascii: ":") {
                hasScheme = scheme.count > 0
                break
            }
            guard HTMLEntities.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "."),
                scheme.count < 16
            else { break }
            let l = UInt64(c | (HTMLScanner.isAlpha(c) ? 0x20 : 0))
            if scheme.count == 0 { first = c }
            if scheme.count < 8 {
                scheme.lo |= l << (8 * UInt64(scheme.count))
            } else {
                scheme.hi |= l << (8 * UInt64(scheme.count - 8))
            }
            scheme.count += 1
        }
        if hasScheme, HTMLScanner.isAlpha(first) {
            if allowedSchemeTable[scheme] != nil {
                if URLBytes.needsCleaning(raw) { out.append(array: URLBytes.clean(raw)) } else { out.append(contentsOf: raw) }
                return true
            }
            if scheme == dataScheme, image {
                let t = String(decoding: raw.prefix(32), as: UTF8.self).lowercased().trimmingASCIISpace()
                if t.hasPrefix("data:image/") && !t.hasPrefix("data:image/svg") {
                    out.append(contentsOf: raw)
                    return true
                }
            }
            return false
        }
        if let base {
            base.resolve(raw, into: &out)
        } else if URLBytes.needsCleaning(raw) {
            out.append(array: URLBytes.clean(raw))
        } else {
            out.append(contentsOf: raw)
        }
        return true
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

    /// The index of the first `a` or `b` (or `c`) in `t` at or after `from`, or `t.count`; memchr finds each
    /// needle, so runs without markup cost next to nothing.
    @inline(__always)
    static func index(of needle: UInt8, in t: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard from < t.count, let base = t.baseAddress,
            let p = memchr(base + from, Int32(needle), t.count - from)
        else { return t.count }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    /// Copies `t` to `out`, replacing each byte in `needles` with `replace(byte)`; runs are copied in bulk.
    @inline(__always)
    static func copyEscaping<S: ByteSink>(
        _ t: UnsafeBufferPointer<UInt8>, _ needles: (UInt8, UInt8, UInt8?), into out: inout S,
        _ replace: (UInt8, inout S) -> Void
    ) {
        let n = t.count
        var pa = index(of: needles.0, in: t, from: 0)
        var pb = index(of: needles.1, in: t, from: 0)
        var pc = needles.2.map { index(of: $0, in: t, from: 0) } ?? n
        var run = 0
        while true {
            let k = min(pa, pb, pc)
            guard k < n else { break }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<k]))
            replace(t[k], &out)
            run = k + 1
            if pa == k { pa = index(of: needles.0, in: t, from: run) }
            if pb == k { pb = index(of: needles.1, in: t, from: run) }
            if pc == k, let c = needles.2 { pc = index(of: c, in: t, from: run) }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<n]))
    }

    /// Text whose `<` did not start a tag: escape it so it stays text (runs copied in bulk).
    static func escapeStrayMarkup<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        copyEscaping(t, (UInt8(ascii: "<"), UInt8(ascii: ">"), nil), into: &out) { c, o in
            appendEntity(c == UInt8(ascii: "<") ? "&lt;" : "&gt;", to: &o)
        }
    }

    /// `escapeStrayMarkup` for text known to hold no `<`.
    static func escapeGreaterThan<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        var run = 0
        var k = index(of: UInt8(ascii: ">"), in: t, from: 0)
        while k < t.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<k]))
            appendEntity("&gt;", to: &out)
            run = k + 1
            k = index(of: UInt8(ascii: ">"), in: t, from: run)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<t.count]))
    }

    static func escapeText<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        copyEscaping(t, (UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&")), into: &out) { c, o in
            switch c {
            case UInt8(ascii: "<"): appendEntity("&lt;", to: &o)
            case UInt8(ascii: ">"): appendEntity("&gt;", to: &o)
            default: appendEntity("&amp;", to: &o)
            }
        }
    }

    static func escapeAttribute<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        copyEscaping(t, (UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "\"")), into: &out) { c, o in
            switch c {
            case UInt8(ascii: "<"): appendEntity("&lt;", to: &o)
            case UInt8(ascii: "&"): appendEntity("&amp;", to: &o)
            default: appendEntity("&quot;", to: &o)
            }
        }
    }

    @inline(__always)
    static func appendEntity<S: ByteSink>(_ e: StaticString, to out: inout S) {
        out.append(contentsOf: UnsafeBufferPointer(start: e.utf8Start, count: e.utf8CodeUnitCount))
    }
}
