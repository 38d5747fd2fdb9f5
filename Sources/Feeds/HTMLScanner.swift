import Foundation

/// A streaming HTML tokenizer over UTF-8 bytes: tags (with `>` allowed inside quoted attribute values),
/// end tags, comments, CDATA sections and text. It never fails: anything that is not markup is text.
struct HTMLScanner {
    enum Token {
        /// Raw text, character references not yet decoded.
        case text(Range<Int>)
        /// A start tag: lower-cased name, the byte range of its attributes, whether it ended in `/>`.
        case startTag(TagName, attributes: Range<Int>, selfClosing: Bool)
        case endTag(TagName)
        /// The inside of `<![CDATA[...]]>`: literal text.
        case cdata(Range<Int>)
        /// Comments, doctypes, processing instructions.
        case ignorable
        case end
    }

    let s: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ s: UnsafeBufferPointer<UInt8>) { self.s = s }

    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C
    }

    /// The index of `c` in `from..<to`, or `to`.
    private func find(_ c: UInt8, from: Int, to: Int) -> Int {
        guard from < to, let base = s.baseAddress else { return to }
        guard let p = memchr(base + from, Int32(c), to - from) else { return to }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    private func find(_ c: UInt8, from: Int) -> Int {
        guard from < s.count, let base = s.baseAddress else { return s.count }
        guard let p = memchr(base + from, Int32(c), s.count - from) else { return s.count }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    /// The index of `pattern` (ASCII, matched case-insensitively) at or after `from`, or `s.count`.
    func find(_ pattern: StaticString, from: Int) -> Int {
        let p = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        let n = s.count
        let first = p[0] | 0x20
        var j = from
        while j + p.count <= n {
            if s[j] | 0x20 == first || s[j] == p[0] {
                var k = 1
                while k < p.count, s[j + k] | 0x20 == p[k] | 0x20 { k += 1 }
                if k == p.count { return j }
            }
            j += 1
        }
        return n
    }

    private func hasPrefix(_ pattern: StaticString, at j: Int) -> Bool {
        let p = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        guard j + p.count <= s.count else { return false }
        for k in 0..<p.count where s[j + k] | 0x20 != p[k] | 0x20 { return false }
        return true
    }

    private func nameEnd(from: Int) -> Int {
        var j = from
        while j < s.count {
            let c = s[j]
            if Self.isSpace(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: ">") { break }
            j += 1
        }
        return j
    }

    /// Skips the raw text of `script`/`style`-like elements up to and including their end tag.
    mutating func skipRawText(until name: TagName) {
        while i < s.count {
            let j = find(UInt8(ascii: "<"), from: i)
            guard j + 1 < s.count else {
                i = s.count
                return
            }
            if s[j + 1] == UInt8(ascii: "/") {
                let e = nameEnd(from: j + 2)
                if TagName(s, (j + 2)..<e) == name {
                    i = min(s.count, find(UInt8(ascii: ">"), from: e) + 1)
                    return
                }
            }
            i = j + 1
        }
    }

    mutating func next() -> Token {
        let n = s.count
        guard i < n else { return .end }
        let start = i
        if s[i] != UInt8(ascii: "<") {
            i = find(UInt8(ascii: "<"), from: i + 1)
            return .text(start..<i)
        }
        guard i + 1 < n else {
            i = n
            return .text(start..<n)
        }
        let c = s[i + 1]
        if c == UInt8(ascii: "!") {
            if hasPrefix("<!--", at: i) {
                let e = find("-->", from: i + 4)
                i = min(n, e + 3)
                return .ignorable
            }
            if hasPrefix("<![CDATA[", at: i) {
                let e = find("]]>", from: i + 9)
                i = min(n, e + 3)
                return .cdata((start + 9)..<e)
            }
            i = min(n, find(UInt8(ascii: ">"), from: i + 2) + 1)
            return .ignorable
        }
        if c == UInt8(ascii: "?") {
            i = min(n, find(UInt8(ascii: ">"), from: i + 2) + 1)
            return .ignorable
        }
        if c == UInt8(ascii: "/") {
            guard i + 2 < n, Self.isAlpha(s[i + 2]) else {
                if i + 2 < n, s[i + 2] == UInt8(ascii: ">") {
                    i += 3
                    return .ignorable
                }
                i += 1
                return .text(start..<i)
            }
            let e = nameEnd(from: i + 2)
            let name = TagName(s, (i + 2)..<e)
            i = min(n, find(UInt8(ascii: ">"), from: e) + 1)
            return .endTag(name)
        }
        guard Self.isAlpha(c) else {
            i += 1
            return .text(start..<i)
        }
        let e = nameEnd(from: i + 1)
        let name = TagName(s, (i + 1)..<e)
        // Find the closing '>', skipping quoted attribute values (a quote opens a value only after '=').
        var j = e
        var afterEquals = false
        while j < n {
            let b = s[j]
            if b == UInt8(ascii: ">") {
                break
            } else if (b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")) && afterEquals {
                // A quoted value: straight to its closing quote (memchr), or to the end when it has none.
                afterEquals = false
                j = Swift.min(n, find(b, from: j + 1) + 1)
                continue
            } else if b == UInt8(ascii: "=") {
                afterEquals = true
            } else if !Self.isSpace(b) {
                afterEquals = false
            }
            j += 1
        }
        let selfClosing = j > e && j <= n && s[j - 1] == UInt8(ascii: "/")
        let attrEnd = selfClosing ? j - 1 : j
        i = min(n, j + 1)
        return .startTag(name, attributes: e..<max(e, min(attrEnd, n)), selfClosing: selfClosing)
    }

    /// Calls `body` with each attribute in `r`, in document order: its lower-cased name and the byte range of
    /// its raw value (references not decoded; empty when the attribute has no value).
    @inline(__always)
    func forEachAttribute(_ r: Range<Int>, _ body: (TagName, Range<Int>) -> Void) {
        var j = r.lowerBound
        while let (name, value) = nextAttribute(&j, end: r.upperBound) { body(name, value) }
    }

    /// The attribute at or after `j` (before `end`), advancing `j` past it: its lower-cased name and the byte
    /// range of its raw value (references not decoded; empty when the attribute has no value); nil at the end.
    @inline(__always)
    func nextAttribute(_ j: inout Int, end: Int) -> (TagName, Range<Int>)? {
        while j < end {
            while j < end, Self.isSpace(s[j]) || s[j] == UInt8(ascii: "/") { j += 1 }
            guard j < end else { break }
            let ns = j
            while j < end, !Self.isSpace(s[j]), s[j] != UInt8(ascii: "="), s[j] != UInt8(ascii: "/") { j += 1 }
            let name = TagName(s, ns..<j)
            while j < end, Self.isSpace(s[j]) { j += 1 }
            var value = j..<j
            if j < end, s[j] == UInt8(ascii: "=") {
                j += 1
                while j < end, Self.isSpace(s[j]) { j += 1 }
                var vs = j
                var ve = j
                if j < end, s[j] == UInt8(ascii: "\"") || s[j] == UInt8(ascii: "'") {
                    let q = s[j]
                    vs = j + 1
                    ve = find(q, from: vs, to: end)
                    j = min(end, ve + 1)
                } else {
                    while ve < end, !Self.isSpace(s[ve]) { ve += 1 }
                    j = ve
                }
                value = vs..<ve
            } else if j == ns {
                j += 1
                continue
            }
            if !name.isEmpty { return (name, value) }
        }
        return nil
    }

    /// Decodes character references in `t` (used for attribute values).
    static func decodeReferences(_ t: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var k = 0
        while k < t.count {
            if t[k] == UInt8(ascii: "&"), let next = HTMLEntities.decode(t, at: k, into: &out) {
                k = next
            } else {
                out.append(t[k])
                k += 1
            }
        }
        return out
    }
}
