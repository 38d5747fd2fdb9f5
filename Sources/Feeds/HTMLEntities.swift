import CLibXML2

/// Character references as browsers decode them: numeric references (with the windows-1252 remapping of
/// 128–159), the HTML 4 named entities from libxml2's table, plus `&apos;`.
enum HTMLEntities {
    /// Windows-1252 code points for bytes 0x80–0x9F (0 = undefined, kept as the C1 control).
    static let cp1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
        0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0, 0x017E, 0x0178,
    ]

    /// Appends the UTF-8 encoding of `v` (invalid scalars become U+FFFD).
    @inline(__always)
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        var v = v
        if v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { v = 0xFFFD }
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// The code point of a named entity (without `&` and `;`), or nil when HTML does not define it.
    static func named(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        // The handful that make up nearly all real uses, without a C call.
        switch name.count {
        case 2:
            if name[0] == UInt8(ascii: "l"), name[1] == UInt8(ascii: "t") { return 0x3C }
            if name[0] == UInt8(ascii: "g"), name[1] == UInt8(ascii: "t") { return 0x3E }
        case 3:
            if name[0] == UInt8(ascii: "a"), name[1] == UInt8(ascii: "m"), name[2] == UInt8(ascii: "p") { return 0x26 }
        case 4:
            if name.elementsEqual("nbsp".utf8) { return 0xA0 }
            if name.elementsEqual("quot".utf8) { return 0x22 }
            if name.elementsEqual("apos".utf8) { return 0x27 }
        default:
            break
        }
        guard name.count < 32, let base = name.baseAddress else { return nil }
        var z = [UInt8](repeating: 0, count: name.count + 1)
        for i in 0..<name.count { z[i] = base[i] }
        guard let desc = z.withUnsafeBufferPointer({ htmlEntityLookup($0.baseAddress) }) else { return nil }
        return UInt32(desc.pointee.value)
    }

    @inline(__always)
    static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A)
    }

    /// Decodes the character reference that starts at `start` (an `&`) and appends it to `out`.
    /// - Returns: the index after the reference, or nil when the `&` does not start one.
    static func decode(_ s: UnsafeBufferPointer<UInt8>, at start: Int, into out: inout [UInt8]) -> Int? {
        let n = s.count
        var i = start + 1
        guard i < n else { return nil }
        if s[i] == UInt8(ascii: "#") {
            i += 1
            var hex = false
            if i < n, s[i] | 0x20 == UInt8(ascii: "x") {
                hex = true
                i += 1
            }
            var v: UInt32 = 0
            var digits = 0
            while i < n {
                let c = s[i]
                var d: UInt32
                if c >= 0x30 && c <= 0x39 {
                    d = UInt32(c - 0x30)
                } else if hex, (c | 0x20) >= 0x61, (c | 0x20) <= 0x66 {
                    d = UInt32((c | 0x20) - 0x61 + 10)
                } else {
                    break
                }
                if v < 0x110000 { v = v * (hex ? 16 : 10) + d }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if i < n, s[i] == UInt8(ascii: ";") { i += 1 }
            if v >= 0x80 && v <= 0x9F {
                let m = cp1252High[Int(v - 0x80)]
                if m != 0 { v = m }
            }
            if v == 0 { v = 0xFFFD }
            appendUTF8(v, to: &out)
            return i
        }
        var j = i
        while j < n, j - i < 32, isAlnum(s[j]) { j += 1 }
        guard j > i else { return nil }
        let name = UnsafeBufferPointer(rebasing: s[i..<j])
        if j < n, s[j] == UInt8(ascii: ";") {
            guard let v = named(name) else { return nil }
            appendUTF8(v, to: &out)
            return j + 1
        }
        // Without `;` browsers still decode the legacy few.
        switch name.count {
        case 2, 3, 4:
            if let v = named(name), v == 0x26 || v == 0x3C || v == 0x3E || v == 0xA0 || v == 0x22 {
                appendUTF8(v, to: &out)
                return j
            }
        default:
            break
        }
        return nil
    }
}
