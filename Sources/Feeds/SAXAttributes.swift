import CLibXML2

/// Read-only view of the attribute array libxml2's `startElementNs` callback receives: five pointers per
/// attribute (local name, prefix, URI, value start, value end), valid only during the callback.
struct SAXAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    @inline(__always)
    static func equals(_ p: UnsafePointer<xmlChar>?, _ s: StaticString) -> Bool {
        guard let p else { return false }
        let n = s.utf8CodeUnitCount
        let q = s.utf8Start
        // The first byte rules out nearly every other name at once.
        guard n > 0, p[0] == q[0] else { return n == 0 && p[0] == 0 }
        for k in 1..<n where p[k] != q[k] { return false }
        return p[n] == 0
    }

    /// The raw value of the attribute with this local name; `prefix` nil matches unprefixed attributes only,
    /// a prefix matches that prefix (used for `xml:base`, `xml:lang`, `rdf:about`).
    func value(_ name: StaticString, prefix: StaticString? = nil) -> String? {
        guard let raw = find(name, prefix: prefix) else { return nil }
        // Without entity substitution libxml2 hands '&' over as "&#38;": decode what is left.
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: HTMLScanner.decodeReferences(raw), as: UTF8.self)
    }

    /// The raw bytes of the attribute with this local name (see `value` for `prefix`); empty when libxml2 gave
    /// no value, nil when there is no such attribute.
    private func find(_ name: StaticString, prefix: StaticString?) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for k in 0..<count {
            let a = base + 5 * k
            guard Self.equals(a[0], name) else { continue }
            if let prefix {
                guard Self.equals(a[1], prefix) else { continue }
            } else if a[1] != nil {
                continue
            }
            guard let start = a[3], let end = a[4] else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(start: start, count: end - start)
        }
        return nil
    }

    /// An attribute's value as `lookup` finds it.
    enum Lookup {
        case absent
        /// ASCII without `&`: `value` is exactly these bytes as a string, and lower-casing, trimming and
        /// comparing the bytes gives what the string operations give.
        case ascii(UnsafeBufferPointer<UInt8>)
        /// Anything else: read it with `value`.
        case other
    }

    /// The attribute `value` would read, without making a string when its value is plain ASCII.
    func lookup(_ name: StaticString, prefix: StaticString? = nil) -> Lookup {
        guard let raw = find(name, prefix: prefix) else { return .absent }
        // In C, sixteen bytes at a time (every URL, type and length an item's attributes give goes through here).
        guard FeedBytes.isASCIIWithoutAmpersand(raw) else { return .other }
        return .ascii(raw)
    }

    /// `b` without leading and trailing ASCII white space (`trimmingASCIISpace` on ASCII).
    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        @inline(__always) func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
        var lo = 0
        var hi = b.count
        while lo < hi, ws(b[lo]) { lo += 1 }
        while hi > lo, ws(b[hi - 1]) { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }

    /// Whether the ASCII bytes `b`, lower-cased, are `lower` (a lower-case literal).
    static func lowercasedEquals(_ b: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard b.count == n else { return false }
        let q = lower.utf8Start
        for k in 0..<n {
            let c = b[k]
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != q[k] { return false }
        }
        return true
    }

    /// Whether the ASCII bytes `b`, lower-cased, start (`suffix` false) or end with `lower`.
    static func lowercasedHas(_ b: UnsafeBufferPointer<UInt8>, _ lower: StaticString, suffix: Bool) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard b.count >= n else { return false }
        return lowercasedEquals(UnsafeBufferPointer(rebasing: b[(suffix ? b.count - n : 0)...].prefix(n)), lower)
    }

    /// Every attribute as (qualified name, value), for re-serializing inline XHTML.
    func all() -> [(name: String, value: String)] {
        guard let base else { return [] }
        var out: [(name: String, value: String)] = []
        for k in 0..<count {
            let a = base + 5 * k
            guard let ln = a[0] else { continue }
            let name = String(cString: ln)
            var value = ""
            if let start = a[3], let end = a[4] {
                value = String(decoding: HTMLScanner.decodeReferences(UnsafeBufferPointer(start: start, count: end - start)), as: UTF8.self)
            }
            out.append((name, value))
        }
        return out
    }

    /// Appends every attribute as ` name="value"` (value decoded, then escaped) for re-serializing inline XHTML:
    /// the same bytes as writing out `all()`, without building strings for plain ASCII.
    func serialize<S: ByteSink>(into out: inout S) {
        guard let base else { return }
        for k in 0..<count {
            let a = base + 5 * k
            guard let ln = a[0] else { continue }
            var n = 0
            var ascii = true
            while ln[n] != 0 {
                if ln[n] >= 0x80 { ascii = false }
                n += 1
            }
            var raw = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            if let start = a[3], let end = a[4] { raw = UnsafeBufferPointer(start: start, count: end - start) }
            if ascii, !raw.contains(where: { $0 >= 0x80 }) {
                out.append(0x20)
                out.append(contentsOf: UnsafeBufferPointer(start: ln, count: n))
                out.append(literal: "=\"")
                if raw.contains(UInt8(ascii: "&")) {
                    let d = HTMLScanner.decodeReferences(raw)
                    if d.contains(where: { $0 >= 0x80 }) {
                        var v = String(decoding: d, as: UTF8.self)
                        v.withUTF8 { HTMLSanitizer.escapeAttribute($0, into: &out) }
                    } else {
                        d.withUnsafeBufferPointer { HTMLSanitizer.escapeAttribute($0, into: &out) }
                    }
                } else {
                    HTMLSanitizer.escapeAttribute(raw, into: &out)
                }
                out.append(UInt8(ascii: "\""))
                continue
            }
            // Non-ASCII: through `String`, which repairs invalid UTF-8 exactly as before.
            let name = String(cString: ln)
            var value = ""
            if let start = a[3], let end = a[4] {
                value = String(decoding: HTMLScanner.decodeReferences(UnsafeBufferPointer(start: start, count: end - start)), as: UTF8.self)
            }
            out.append(0x20)
            out.append(utf8: name)
            out.append(literal: "=\"")
            value.withUTF8 { HTMLSanitizer.escapeAttribute($0, into: &out) }
            out.append(UInt8(ascii: "\""))
        }
    }
}
