/// A lower-cased ASCII name (HTML tag, attribute, URL scheme) of up to 16 bytes packed into two words, so
/// the hot paths compare and look names up without building a `String` or hashing with `Hasher`.
/// Longer names get `isLong` and match nothing in a `TagNameTable` (no allowlisted name is that long).
struct TagName: Equatable, Sendable {
    var lo: UInt64 = 0
    var hi: UInt64 = 0
    /// The name's length in bytes (exact even past 16).
    var count: Int = 0

    init() {}

    var isLong: Bool { count > 16 }
    var isEmpty: Bool { count == 0 }

    /// The name in `s`, lower-casing ASCII letters only (as `HTMLScanner` always did).
    @inline(__always)
    init(_ s: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) {
        count = r.count
        guard r.count <= 16 else { return }
        var k = 0
        for j in r {
            let c = s[j]
            let l = UInt64((c >= 0x41 && c <= 0x5A) ? c | 0x20 : c)
            if k < 8 { lo |= l << (8 * UInt64(k)) } else { hi |= l << (8 * UInt64(k - 8)) }
            k += 1
        }
    }

    /// The C string `p` packed exactly as written (no lower-casing), or nil when it is longer than 16 bytes
    /// or not ASCII.
    init?(exactASCII p: UnsafePointer<UInt8>) {
        var k = 0
        while p[k] != 0 {
            let c = p[k]
            guard k < 16, c < 0x80 else { return nil }
            if k < 8 { lo |= UInt64(c) << (8 * UInt64(k)) } else { hi |= UInt64(c) << (8 * UInt64(k - 8)) }
            k += 1
        }
        count = k
    }

    init(_ s: StaticString) {
        let b = UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
        self.init(b, 0..<b.count)
    }

    init(_ s: String) {
        var s = s
        self = s.withUTF8 { TagName($0, 0..<$0.count) }
    }

    /// Appends the (lower-cased) name; only meaningful when `!isLong`.
    @inline(__always)
    func append<S: ByteSink>(to out: inout S) {
        for k in 0..<min(count, 16) {
            out.append(UInt8(truncatingIfNeeded: k < 8 ? lo >> (8 * UInt64(k)) : hi >> (8 * UInt64(k - 8))))
        }
    }

    var string: String {
        var b: [UInt8] = []
        append(to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    @inline(__always)
    var hash: Int {
        let h = (lo &* 0x9E37_79B9_7F4A_7C15) ^ (hi &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
        return Int(truncatingIfNeeded: ((h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9) >> 40)
    }
}

/// A fixed open-addressing table from `TagName` to a value, built once from a static list.
struct TagNameTable<Value: Sendable>: Sendable {
    private var keys: [TagName]
    private var values: [Value?]
    private let mask: Int

    init(_ pairs: [(String, Value)]) {
        var size = 16
        while size < pairs.count * 4 { size *= 2 }
        mask = size - 1
        keys = Array(repeating: TagName(), count: size)
        values = Array(repeating: nil, count: size)
        for (name, v) in pairs {
            let key = TagName(name)
            precondition(!key.isLong && !key.isEmpty)
            var k = key.hash & mask
            while values[k] != nil, keys[k] != key { k = (k + 1) & mask }
            keys[k] = key
            values[k] = v
        }
    }

    @inline(__always)
    subscript(_ key: TagName) -> Value? {
        if key.isLong || key.isEmpty { return nil }
        var k = key.hash & mask
        while true {
            guard let v = values[k] else { return nil }
            if keys[k] == key { return v }
            k = (k + 1) & mask
        }
    }

    func contains(_ key: TagName) -> Bool { self[key] != nil }
}
