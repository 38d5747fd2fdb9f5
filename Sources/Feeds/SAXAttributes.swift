import CLibXML2

/// Read-only view of the attribute array libxml2's `startElementNs` callback receives: five pointers per
/// attribute (local name, prefix, URI, value start, value end), valid only during the callback.
struct SAXAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    static func equals(_ p: UnsafePointer<xmlChar>?, _ s: StaticString) -> Bool {
        guard let p else { return false }
        let n = s.utf8CodeUnitCount
        let q = s.utf8Start
        for k in 0..<n where p[k] != q[k] { return false }
        return p[n] == 0
    }

    /// The raw value of the attribute with this local name; `prefix` nil matches unprefixed attributes only,
    /// a prefix matches that prefix (used for `xml:base`, `xml:lang`, `rdf:about`).
    func value(_ name: StaticString, prefix: StaticString? = nil) -> String? {
        guard let base else { return nil }
        for k in 0..<count {
            let a = base + 5 * k
            guard Self.equals(a[0], name) else { continue }
            if let prefix {
                guard Self.equals(a[1], prefix) else { continue }
            } else if a[1] != nil {
                continue
            }
            guard let start = a[3], let end = a[4] else { return "" }
            let raw = UnsafeBufferPointer(start: start, count: end - start)
            // Without entity substitution libxml2 hands '&' over as "&#38;": decode what is left.
            guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
            return String(decoding: HTMLScanner.decodeReferences(raw), as: UTF8.self)
        }
        return nil
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
}
