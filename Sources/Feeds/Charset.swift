import CFeedBytes
import Foundation

/// Decides a document's character encoding (byte-order mark, then the HTTP `Content-Type` charset, then the
/// XML declaration, then UTF-8: RFC 7303's order) and turns the bytes into clean UTF-8 for libxml2: invalid
/// sequences replaced by U+FFFD, control characters that XML forbids dropped.
enum Charset {
    /// The charset parameter of a Content-Type value, lower-cased.
    static func fromContentType(_ value: String?) -> String? {
        guard let value else { return nil }
        for param in value.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingASCIISpace().lowercased() == "charset" else { continue }
            var v = kv[1].trimmingASCIISpace()
            if v.hasPrefix("\"") || v.hasPrefix("'") { v = v.dropFirst() }
            if v.hasSuffix("\"") || v.hasSuffix("'") { v = v.dropLast() }
            let s = v.lowercased()
            if !s.isEmpty { return s }
        }
        return nil
    }

    /// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration.
    static func fromDeclaration(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 0
        while i < b.count, i < 64, HTMLScanner.isSpace(b[i]) { i += 1 }
        guard i + 5 < b.count, b[i] == UInt8(ascii: "<"), b[i + 1] == UInt8(ascii: "?"),
            b[i + 2] | 0x20 == UInt8(ascii: "x"), b[i + 3] | 0x20 == UInt8(ascii: "m"),
            b[i + 4] | 0x20 == UInt8(ascii: "l")
        else { return nil }
        let end = min(b.count, i + 512)
        var j = i + 5
        var declEnd = end
        while j + 1 < end {
            if b[j] == UInt8(ascii: "?"), b[j + 1] == UInt8(ascii: ">") {
                declEnd = j
                break
            }
            j += 1
        }
        if let name = asciiDeclarationEncoding(UnsafeBufferPointer(rebasing: b[i..<declEnd])) { return name }
        return encodingByCharacters(String(decoding: UnsafeBufferPointer(rebasing: b[i..<declEnd]), as: UTF8.self))
    }

    /// The `encoding` pseudo-attribute read through the declaration's characters: for declarations that are not
    /// plain ASCII (and the reference the byte reading is tested against).
    static func encodingByCharacters(_ decl: String) -> String? {
        guard let r = decl.range(of: "encoding") else { return nil }
        var rest = decl[r.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let q = rest.first, q == "\"" || q == "'" else { return nil }
        rest = rest.dropFirst()
        let name = rest.prefix { $0 != q }
        return name.isEmpty ? nil : name.lowercased()
    }

    /// `fromDeclaration`'s reading of an all-ASCII declaration, byte by byte (no `String` searches); `.some(nil)`
    /// when it names no encoding, nil when the declaration is not ASCII (read as characters then).
    private static func asciiDeclarationEncoding(_ d: UnsafeBufferPointer<UInt8>) -> String?? {
        guard !d.contains(where: { $0 >= 0x80 }) else { return nil }
        let key = Array("encoding".utf8)
        var k = 0
        while k + key.count <= d.count, !key.indices.allSatisfy({ d[k + $0] == key[$0] }) { k += 1 }
        guard k + key.count <= d.count else { return .some(nil) }
        var j = k + key.count
        // " ", "=", tab, LF and CR are skipped, but not CR LF, which a string reads as one character.
        while j < d.count, d[j] == 0x20 || d[j] == 0x3D || d[j] == 0x09 || d[j] == 0x0A || d[j] == 0x0D {
            if d[j] == 0x0D, j + 1 < d.count, d[j + 1] == 0x0A { break }
            j += 1
        }
        guard j < d.count, d[j] == 0x22 || d[j] == 0x27 else { return .some(nil) }
        let q = d[j]
        j += 1
        var e = j
        while e < d.count, d[e] != q { e += 1 }
        guard e > j else { return .some(nil) }
        return .some(String(decoding: UnsafeBufferPointer(rebasing: d[j..<e]), as: UTF8.self).lowercased())
    }

    enum Decision: Equatable {
        case utf8(skip: Int)
        case utf16(bigEndian: Bool, skip: Int)
        case utf32(bigEndian: Bool, skip: Int)
        case singleByte([UInt32])
        case iconv(String)
    }

    static func sniff(_ b: UnsafeBufferPointer<UInt8>) -> Decision? {
        func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0xAA }
        if at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF { return .utf8(skip: 3) }
        if at(0) == 0x00 && at(1) == 0x00 && at(2) == 0xFE && at(3) == 0xFF { return .utf32(bigEndian: true, skip: 4) }
        if at(0) == 0xFF && at(1) == 0xFE && at(2) == 0x00 && at(3) == 0x00 { return .utf32(bigEndian: false, skip: 4) }
        if at(0) == 0xFE && at(1) == 0xFF { return .utf16(bigEndian: true, skip: 2) }
        if at(0) == 0xFF && at(1) == 0xFE { return .utf16(bigEndian: false, skip: 2) }
        if at(0) == 0x00 && at(1) == 0x00 && at(2) == 0x00 && at(3) == 0x3C { return .utf32(bigEndian: true, skip: 0) }
        if at(0) == 0x3C && at(1) == 0x00 && at(2) == 0x00 && at(3) == 0x00 { return .utf32(bigEndian: false, skip: 0) }
        if at(0) == 0x00 && at(1) == 0x3C && at(2) == 0x00 && at(3) == 0x3F { return .utf16(bigEndian: true, skip: 0) }
        if at(0) == 0x3C && at(1) == 0x00 && at(2) == 0x3F && at(3) == 0x00 { return .utf16(bigEndian: false, skip: 0) }
        if at(0) == 0x4C && at(1) == 0x6F && at(2) == 0xA7 && at(3) == 0x94 {
            // EBCDIC "<?xm": read the declaration through the most common EBCDIC page to learn the real one.
            var head: [UInt8] = []
            iconvDecode(UnsafeBufferPointer(rebasing: b[0..<min(b.count, 200)]), from: "cp037", into: &head)
            let name = head.withUnsafeBufferPointer { fromDeclaration($0) } ?? "cp037"
            return .iconv(name)
        }
        return nil
    }

    static func decision(forName raw: String) -> Decision? {
        var name = raw.lowercased()
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII (every name it knows): '_' replaced byte by byte, as `replacingOccurrences` would.
            if name.utf8.contains(UInt8(ascii: "_")) {
                name = String(decoding: name.utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
            }
        } else {
            name = name.replacingOccurrences(of: "_", with: "-")
        }
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8": return .utf8(skip: 0)
        case "iso-8859-1", "latin1", "latin-1", "l1", "iso8859-1", "iso-ir-100", "cp819", "ibm819", "us-ascii",
            "ascii", "windows-1252", "cp1252", "x-cp1252", "iso-8859-1:1987", "csisolatin1", "ansi-x3.4-1968":
            return .singleByte(windows1252)
        case "iso-8859-15", "latin9", "latin-9", "l9", "iso8859-15": return .singleByte(iso885915)
        case "utf-16be", "unicodefffe": return .utf16(bigEndian: true, skip: 0)
        case "utf-16le": return .utf16(bigEndian: false, skip: 0)
        case "utf-32be": return .utf32(bigEndian: true, skip: 0)
        case "utf-32le": return .utf32(bigEndian: false, skip: 0)
        default:
            return nil
        }
    }

    static let windows1252: [UInt32] = (0..<256).map { b in
        if b >= 0x80 && b <= 0x9F {
            let m = HTMLEntities.cp1252High[b - 0x80]
            return m == 0 ? UInt32(b) : m
        }
        return UInt32(b)
    }

    static let iso885915: [UInt32] = (0..<256).map { b in
        switch b {
        case 0xA4: return 0x20AC
        case 0xA6: return 0x0160
        case 0xA8: return 0x0161
        case 0xB4: return 0x017D
        case 0xB8: return 0x017E
        case 0xBC: return 0x0152
        case 0xBD: return 0x0153
        case 0xBE: return 0x0178
        default: return UInt32(b)
        }
    }

    /// `b` decoded through a single-byte `table`, characters XML forbids dropped; written straight into the
    /// array's storage (at most three bytes per input byte for tables inside the BMP).
    static func decodeSingleByte(_ b: UnsafeBufferPointer<UInt8>, table: [UInt32]) -> [UInt8] {
        guard table.count == 256, table.allSatisfy({ $0 < 0x10000 }) else {
            var out: [UInt8] = []
            out.reserveCapacity(b.count + b.count / 8)
            for c in b {
                let v = table[Int(c)]
                if allowed(v) { HTMLEntities.appendUTF8(v, to: &out) }
            }
            return out
        }
        return table.withUnsafeBufferPointer { t in
            [UInt8](unsafeUninitializedCapacity: b.count * 3) { o, written in
                written = cfb_decode_single_byte(b.baseAddress, b.count, t.baseAddress, o.baseAddress)
            }
        }
    }

    /// `decodeSingleByte` for tables inside the BMP, in Swift (the tests hold `cfb_decode_single_byte` to it).
    static func decodeSingleByteInSwift(_ b: UnsafeBufferPointer<UInt8>, table: [UInt32]) -> [UInt8] {
        table.withUnsafeBufferPointer { t in
            [UInt8](unsafeUninitializedCapacity: b.count * 3) { o, written in
                var w = 0
                for c in b {
                    let v = t[Int(c)]
                    if v < 0x80 {
                        if v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D { continue }
                        o[w] = UInt8(v)
                        w += 1
                    } else if v < 0x800 {
                        o[w] = UInt8(0xC0 | (v >> 6))
                        o[w + 1] = UInt8(0x80 | (v & 0x3F))
                        w += 2
                    } else {
                        guard allowed(v) else { continue }
                        o[w] = UInt8(0xE0 | (v >> 12))
                        o[w + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
                        o[w + 2] = UInt8(0x80 | (v & 0x3F))
                        w += 3
                    }
                }
                written = w
            }
        }
    }

    /// Whether `v` may appear in an XML document.
    @inline(__always) static func allowed(_ v: UInt32) -> Bool {
        if v < 0x20 { return v == 0x09 || v == 0x0A || v == 0x0D }
        if v >= 0xD800 && v <= 0xDFFF { return false }
        return v != 0xFFFE && v != 0xFFFF && v <= 0x10FFFF
    }

    /// The encoding decided for the document (nil: none declared, read as UTF-8).
    static func decide(_ b: UnsafeBufferPointer<UInt8>, contentType: String?) -> Decision? {
        var d = sniff(b)
        if d == nil, let name = fromContentType(contentType) {
            d = decision(forName: name) ?? .iconv(name)
            if case .utf16(let be, _) = d, name == "utf-16" { d = .utf16(bigEndian: be, skip: 0) }
        }
        if d == nil, let name = fromDeclaration(b) {
            // A UTF-16/32 declaration in bytes that read as ASCII is a lie: the bytes decide.
            if name.hasPrefix("utf-16") || name.hasPrefix("utf-32") || name == "ucs-2" || name == "ucs-4" {
                d = .utf8(skip: 0)
            } else {
                d = decision(forName: name) ?? .iconv(name)
            }
        }
        return d
    }

    /// Whether the document is read as UTF-8 from its first byte and has none of the bytes `isCleanUTF8` rejects
    /// that libxml2 would not report (`cfb_has_unchecked_bytes`): then the bytes are clean exactly when libxml2
    /// parses them without reporting an error about them.
    static func libxml2ChecksTheRest(_ b: UnsafeBufferPointer<UInt8>, contentType: String?) -> Bool {
        guard (decide(b, contentType: contentType) ?? .utf8(skip: 0)) == .utf8(skip: 0) else { return false }
        return cfb_has_unchecked_bytes(b.baseAddress, b.count) == 0
    }

    /// Converts the document to clean UTF-8.
    /// - Returns: nil when `b` already is clean UTF-8 without a BOM (the caller uses it as is), else the new bytes,
    ///   plus a warning when bytes had to be replaced or the encoding is unknown.
    static func toUTF8(_ b: UnsafeBufferPointer<UInt8>, contentType: String?) -> (bytes: [UInt8]?, warning: String?) {
        let d = decide(b, contentType: contentType)
        var out: [UInt8] = []
        var warning: String?
        let declared = d != nil
        switch d ?? .utf8(skip: 0) {
        case .utf8(let skip):
            if skip == 0, isCleanUTF8(b) { return (nil, nil) }
            out.reserveCapacity(b.count)
            // Undeclared and invalid UTF-8 is almost always windows-1252 text: read stray bytes that way.
            if repairUTF8(UnsafeBufferPointer(rebasing: b[skip...]), into: &out, windows1252Fallback: !declared) {
                warning = declared ? "invalid utf-8 byte sequences replaced" : "invalid utf-8 bytes read as windows-1252"
            }
        case .utf16(let be, let skip):
            decodeUTF16(UnsafeBufferPointer(rebasing: b[min(skip, b.count)...]), bigEndian: be, into: &out)
        case .utf32(let be, let skip):
            decodeUTF32(UnsafeBufferPointer(rebasing: b[min(skip, b.count)...]), bigEndian: be, into: &out)
        case .singleByte(let table):
            out = decodeSingleByte(b, table: table)
        case .iconv(let name):
            if !iconvDecode(b, from: name, into: &out) {
                warning = "unknown encoding \(name), read as utf-8"
                out.removeAll()
                _ = repairUTF8(b, into: &out)
            } else {
                var clean: [UInt8] = []
                clean.reserveCapacity(out.count)
                out.withUnsafeBufferPointer { _ = repairUTF8($0, into: &clean) }
                out = clean
            }
        }
        return (out, warning)
    }

    /// Fast check: valid UTF-8, no forbidden control characters, no C1 controls, no BOM (`cfb_is_clean_utf8`).
    static func isCleanUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool { FeedBytes.isCleanUTF8(b) }

    @inline(__always)
    static func decodeScalar(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int)? {
        let n = b.count
        let c = b[i]
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard k < n, b[k] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[k] & 0x3F)
        }
        if c < 0xC2 { return nil }
        if c < 0xE0 {
            guard let c1 = cont(i + 1) else { return nil }
            return ((UInt32(c & 0x1F) << 6) | c1, 2)
        }
        if c < 0xF0 {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2) else { return nil }
            let v = (UInt32(c & 0x0F) << 12) | (c1 << 6) | c2
            guard v >= 0x800 else { return nil }
            return (v, 3)
        }
        if c < 0xF5 {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2), let c3 = cont(i + 3) else { return nil }
            let v = (UInt32(c & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            guard v >= 0x10000, v <= 0x10FFFF else { return nil }
            return (v, 4)
        }
        return nil
    }

    /// Copies `b` replacing invalid sequences with U+FFFD and dropping forbidden characters.
    /// - Returns: whether anything was replaced.
    @discardableResult
    static func repairUTF8(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], windows1252Fallback: Bool = false) -> Bool {
        var i = 0
        var replaced = false
        let n = b.count
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c >= 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { out.append(c) }
                i += 1
            } else if let (v, len) = decodeScalar(b, i) {
                if v >= 0x80 && v <= 0x9F {
                    // C1 controls in text are windows-1252 bytes that went through a latin-1 decoder.
                    let m = HTMLEntities.cp1252High[Int(v - 0x80)]
                    if m != 0 { HTMLEntities.appendUTF8(m, to: &out) }
                } else if allowed(v) {
                    for k in 0..<len { out.append(b[i + k]) }
                }
                i += len
            } else {
                if windows1252Fallback {
                    HTMLEntities.appendUTF8(windows1252[Int(c)], to: &out)
                } else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                }
                replaced = true
                i += 1
            }
        }
        return replaced
    }

    static func decodeUTF16(_ b: UnsafeBufferPointer<UInt8>, bigEndian: Bool, into out: inout [UInt8]) {
        var i = 0
        out.reserveCapacity(b.count)
        func unit(_ k: Int) -> UInt32 {
            bigEndian ? UInt32(b[k]) << 8 | UInt32(b[k + 1]) : UInt32(b[k + 1]) << 8 | UInt32(b[k])
        }
        while i + 1 < b.count {
            var v = unit(i)
            i += 2
            if v >= 0xD800 && v <= 0xDBFF {
                if i + 1 < b.count {
                    let lo = unit(i)
                    if lo >= 0xDC00 && lo <= 0xDFFF {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        i += 2
                    } else {
                        v = 0xFFFD
                    }
                } else {
                    v = 0xFFFD
                }
            } else if v >= 0xDC00 && v <= 0xDFFF {
                v = 0xFFFD
            }
            if allowed(v) && v != 0xFEFF || (v == 0xFEFF && !out.isEmpty) { HTMLEntities.appendUTF8(v, to: &out) }
        }
    }

    static func decodeUTF32(_ b: UnsafeBufferPointer<UInt8>, bigEndian: Bool, into out: inout [UInt8]) {
        var i = 0
        while i + 3 < b.count {
            let v =
                bigEndian
                ? UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                : UInt32(b[i + 3]) << 24 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i])
            i += 4
            if allowed(v) && !(v == 0xFEFF && out.isEmpty) { HTMLEntities.appendUTF8(v, to: &out) }
        }
    }

    /// Names Python and feeds use that glibc's iconv spells differently.
    static let iconvAliases: [String: String] = [
        "cp-is": "CP861", "ibm039": "IBM037", "maciceland": "MAC-IS", "maccentraleurope": "MAC-CENTRALEUROPE",
        "maccyrillic": "MAC-CYRILLIC", "macroman": "MACINTOSH", "mac-roman": "MACINTOSH", "x-mac-roman": "MACINTOSH",
        "cspc850multilingual": "IBM850", "cspc8codepage437": "IBM437", "cspcp852": "IBM852", "cskoi8r": "KOI8-R",
        "x-sjis": "SHIFT_JIS", "x-euc-jp": "EUC-JP", "gb2312": "GB18030", "gbk": "GB18030", "ks-c-5601-1987": "CP949",
        "tis-620": "TIS-620", "windows-874": "CP874", "x-gbk": "GB18030",
    ]

    /// iconv's conversion descriptor for `name`, trying the spellings feeds use.
    static func openIconv(_ name: String) -> iconv_t? {
        let n = name.lowercased().replacingOccurrences(of: "_", with: "-")
        var candidates = [name, n]
        if let a = iconvAliases[n] { candidates.insert(a, at: 0) }
        if n.hasPrefix("csibm") { candidates.append("IBM" + n.dropFirst(5)) }
        if n.hasPrefix("windows-") { candidates.append("CP" + n.dropFirst(8)) }
        candidates.append(n.replacingOccurrences(of: "-", with: ""))
        for c in candidates {
            if let cd = iconv_open("UTF-8", c), cd != iconv_t(bitPattern: -1) { return cd }
        }
        return nil
    }

    /// Decodes through iconv; false when iconv does not know `name`.
    @discardableResult
    static func iconvDecode(_ b: UnsafeBufferPointer<UInt8>, from name: String, into out: inout [UInt8]) -> Bool {
        guard let cd = openIconv(name) else { return false }
        defer { iconv_close(cd) }
        guard let base = b.baseAddress else { return true }
        var inPtr = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))
        var inLeft = b.count
        var chunk = [CChar](repeating: 0, count: 65536)
        while inLeft > 0 {
            let produced: Int = chunk.withUnsafeMutableBufferPointer { buf in
                var outPtr: UnsafeMutablePointer<CChar>? = buf.baseAddress
                var outLeft = buf.count
                var inOpt: UnsafeMutablePointer<CChar>? = inPtr
                let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
                let used = buf.count - outLeft
                if let p = inOpt { inPtr = p }
                if r == -1 && errno != E2BIG {
                    // Invalid or truncated input: replace one byte and go on.
                    if inLeft > 0 {
                        inPtr += 1
                        inLeft -= 1
                    }
                    return -(used + 1)
                }
                return used
            }
            let used = produced < 0 ? -produced - 1 : produced
            chunk.withUnsafeBufferPointer { buf in
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<used]))
            }
            if produced < 0 { out.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
        }
        return true
    }
}
