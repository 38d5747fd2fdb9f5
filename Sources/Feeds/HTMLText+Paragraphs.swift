extension HTMLText {
    /// The plain text of an HTML fragment as paragraphs: block elements (`p`, `div`, `br`, `li`, headings, …) end
    /// one, so related-link lines, bylines and footers stay lines of their own. Same tokenizer as `plainText`.
    public static func paragraphs(fromHTML html: String) -> [String] {
        var html = html
        return html.withUTF8 { s in
            var result: [String] = []
            var writer = TextWriter(limit: Int.max)
            func flush() {
                if !writer.out.isEmpty { result.append(String(decoding: writer.out, as: UTF8.self)) }
                writer = TextWriter(limit: Int.max)
            }
            var scanner = HTMLScanner(s)
            loop: while true {
                switch scanner.next() {
                case .end:
                    break loop
                case .text(let r):
                    writer.appendHTMLText(UnsafeBufferPointer(rebasing: s[r]))
                case .cdata(let r):
                    writer.appendLiteral(UnsafeBufferPointer(rebasing: s[r]))
                case .startTag(let name, _, let selfClosing):
                    let effect = tagEffects[name] ?? 0
                    if effect & 2 != 0 {
                        if !selfClosing { scanner.skipRawText(until: name) }
                        writer.space()
                    } else if effect & 1 != 0 {
                        flush()
                    }
                case .endTag(let name):
                    if (tagEffects[name] ?? 0) & 1 != 0 { flush() }
                case .ignorable:
                    break
                }
            }
            flush()
            return result.map(collapsingWhitespace).filter { !$0.isEmpty }
        }
    }
}
