import Foundation

extension Feed {
    /// The feed as the JSON object `aggregator parse --format json` prints: keys in schema order, `null` for
    /// absent values, `[]` for empty lists, dates RFC 3339 UTC with `Z`.
    /// - Parameter pretty: two-space indented output; otherwise one compact line.
    public func jsonData(pretty: Bool) -> [UInt8] {
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        w.key("format"); w.string(format.rawValue)
        w.key("title"); w.string(title)
        w.key("link"); w.string(link)
        w.key("description"); w.string(description)
        w.key("language"); w.string(language)
        w.key("updated"); w.string(updated.map(DateParser.rfc3339))
        w.key("author"); w.string(author)
        w.key("image"); w.string(image)
        w.key("items")
        w.beginArray(empty: items.isEmpty)
        for item in items {
            w.element()
            w.beginObject()
            w.key("id"); w.string(item.id)
            w.key("title"); w.string(item.title)
            w.key("link"); w.string(item.link)
            w.key("summary"); w.string(item.summary)
            w.key("content"); w.string(item.content)
            w.key("author"); w.string(item.author)
            w.key("published"); w.string(item.published.map(DateParser.rfc3339))
            w.key("updated"); w.string(item.updated.map(DateParser.rfc3339))
            w.key("categories")
            w.beginArray(empty: item.categories.isEmpty)
            for c in item.categories {
                w.element()
                w.string(c)
            }
            w.endArray(empty: item.categories.isEmpty)
            w.key("enclosures")
            w.beginArray(empty: item.enclosures.isEmpty)
            for e in item.enclosures {
                w.element()
                w.beginObject()
                w.key("url"); w.string(e.url)
                w.key("type"); w.string(e.type)
                w.key("length"); w.int(e.length)
                w.endObject()
            }
            w.endArray(empty: item.enclosures.isEmpty)
            w.endObject()
        }
        w.endArray(empty: items.isEmpty)
        w.endObject()
        return w.out
    }
}

/// A minimal streaming JSON writer that keeps key order.
struct JSONWriter {
    var out: [UInt8] = []
    let pretty: Bool
    var depth = 0
    var first = [true]

    init(pretty: Bool) { self.pretty = pretty }

    mutating func newline() {
        guard pretty else { return }
        out.append(0x0A)
        for _ in 0..<depth { out.append(contentsOf: [0x20, 0x20]) }
    }

    mutating func separator() {
        if first[first.count - 1] {
            first[first.count - 1] = false
        } else {
            out.append(UInt8(ascii: ","))
        }
        newline()
    }

    mutating func beginObject() {
        out.append(UInt8(ascii: "{"))
        depth += 1
        first.append(true)
    }

    mutating func endObject() {
        depth -= 1
        let empty = first.removeLast()
        if !empty { newline() }
        out.append(UInt8(ascii: "}"))
    }

    mutating func beginArray(empty: Bool) {
        out.append(UInt8(ascii: "["))
        depth += 1
        first.append(true)
    }

    mutating func endArray(empty: Bool) {
        depth -= 1
        first.removeLast()
        if !empty { newline() }
        out.append(UInt8(ascii: "]"))
    }

    mutating func element() { separator() }

    mutating func key(_ k: String) {
        separator()
        string(k)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(0x20) }
    }

    mutating func int(_ v: Int?) {
        guard let v else { return null() }
        out.append(contentsOf: String(v).utf8)
    }

    mutating func null() { out.append(contentsOf: "null".utf8) }

    mutating func string(_ s: String?) {
        guard let s else { return null() }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
