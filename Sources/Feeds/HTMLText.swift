/// Plain text out of HTML: tags stripped by `HTMLScanner`, character references decoded, whitespace collapsed.
public enum HTMLText {
    /// Block-level elements that separate words (`<p>a</p><p>b</p>` reads "a b", `<b>a</b>b` reads "ab").
    static let blockTags: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "img", "body", "html",
        "head", "title", "caption", "center", "iframe", "video", "audio",
    ]
    /// Elements whose content is never text a reader sees.
    static let dropContentTags: Set<String> = ["script", "style", "template", "noembed", "noframes", "iframe"]

    /// What a tag means to the text: bit 0 = a block tag, bit 1 = its content is dropped.
    static let tagEffects = TagNameTable<UInt8>(
        blockTags.union(dropContentTags).map {
            ($0, UInt8(blockTags.contains($0) ? 1 : 0) | UInt8(dropContentTags.contains($0) ? 2 : 0))
        })

    /// The plain text of an HTML fragment.
    public static func plainText(fromHTML html: String) -> String {
        var html = html
        return html.withUTF8 { plainText($0) }
    }

    /// Collapses runs of white space (including no-break spaces) to one space and trims both ends.
    public static func collapsingWhitespace(_ text: String) -> String {
        var text = text
        return text.withUTF8 { FeedBytes.collapsed($0) }
    }

    /// The plain text of the HTML in `s`, stopping after about `limit` bytes of output (`cfb_plain_text`: the
    /// same tokenizer, tag effects and white-space rules as `paragraphs` and `TextWriter`, in C).
    static func plainText(_ s: UnsafeBufferPointer<UInt8>, limit: Int = Int.max) -> String {
        FeedBytes.plainText(s, limit: limit)
    }
}

/// Accumulates plain text with collapsed white space.
struct TextWriter {
    var out: [UInt8] = []
    var pendingSpace = false
    let limit: Int
    var scratch: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    var full: Bool { out.count >= limit }

    @inline(__always) mutating func space() { pendingSpace = true }

    mutating func scratchUTF8(_ v: UInt32) {
        var tmp: [UInt8] = []
        HTMLEntities.appendUTF8(v, to: &tmp)
        for b in tmp { byte(b) }
    }

    @inline(__always) mutating func byte(_ c: UInt8) {
        if pendingSpace {
            if !out.isEmpty { out.append(0x20) }
            pendingSpace = false
        }
        out.append(c)
    }

    /// Text taken literally (no references), white space collapsed.
    mutating func appendLiteral(_ t: UnsafeBufferPointer<UInt8>) {
        var k = 0
        let n = t.count
        // Grown geometrically: reserving exactly `count + n` on every call would reallocate on every call.
        if out.capacity < out.count + n { out.reserveCapacity(Swift.max(out.count + n, 2 * out.capacity)) }
        @inline(__always) func ordinary(_ c: UInt8) -> Bool { c > 0x20 && c != 0xC2 && c != 0xE3 }
        while k < n {
            let c = t[k]
            if ordinary(c) {
                // A run of ordinary bytes, with single spaces between them (which collapsing keeps as they
                // are), copied at once: the same bytes `byte(_:)` and the space logic below would write.
                var e = k + 1
                while e < n {
                    let d = t[e]
                    if ordinary(d) {
                        e += 1
                    } else if d == 0x20, e + 1 < n, ordinary(t[e + 1]) {
                        e += 2
                    } else {
                        break
                    }
                }
                if pendingSpace {
                    if !out.isEmpty { out.append(0x20) }
                    pendingSpace = false
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: t[k..<e]))
                k = e
            } else if c <= 0x20 {
                if HTMLScanner.isSpace(c) || c == 0x0B { pendingSpace = true }
                k += 1
            } else if c == 0xC2, k + 1 < n, t[k + 1] == 0xA0 {
                pendingSpace = true
                k += 2
            } else if c == 0xC2, k + 1 < n, t[k + 1] >= 0x80, t[k + 1] <= 0x9F {
                // C1 controls are windows-1252 characters that went through a latin-1 decoder ("demoronize").
                let m = HTMLEntities.cp1252High[Int(t[k + 1] - 0x80)]
                if m != 0 {
                    scratchUTF8(m)
                }
                k += 2
            } else if c == 0xE3, k + 2 < n, t[k + 1] == 0x80, t[k + 2] == 0x80 {
                // U+3000 ideographic space
                pendingSpace = true
                k += 3
            } else {
                byte(c)
                k += 1
            }
        }
    }

    /// HTML text: character references decoded, white space collapsed.
    mutating func appendHTMLText(_ t: UnsafeBufferPointer<UInt8>) {
        var k = 0
        let n = t.count
        var runStart = 0
        while k < n {
            if t[k] == UInt8(ascii: "&") {
                appendLiteral(UnsafeBufferPointer(rebasing: t[runStart..<k]))
                scratch.removeAll(keepingCapacity: true)
                if let next = HTMLEntities.decode(t, at: k, into: &scratch) {
                    scratch.withUnsafeBufferPointer { appendLiteral($0) }
                    k = next
                } else {
                    byte(UInt8(ascii: "&"))
                    k += 1
                }
                runStart = k
            } else {
                k += 1
            }
        }
        appendLiteral(UnsafeBufferPointer(rebasing: t[runStart..<n]))
    }
}
