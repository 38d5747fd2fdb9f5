/// Deterministic 64-bit hashing. Fingerprints are stored, so nothing here may depend on the process
/// (Swift's `Hasher` is randomly seeded per process and is therefore never used for fingerprints).
enum Hashing {
    /// The 64-bit finalizer of SplitMix64: a bijection with good avalanche, used to mix combined values.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines a running hash with one more 64-bit value (order-dependent).
    @inline(__always)
    static func combine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        mix(seed ^ (value &* 0xFF51_AFD7_ED55_8CCD) ^ (seed >> 29))
    }

    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a over bytes, finalized with `mix`. Used for tokens (short) and line keys.
    @inline(__always)
    static func bytes<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }

    /// Hash of a string's UTF-8 bytes.
    static func string(_ s: String) -> UInt64 {
        bytes(s.utf8)
    }
}

/// Domain tags mixed into index keys so that keys of different kinds never meet in the shared index.
enum KeyDomain: UInt64 {
    case band = 0x6261_6E64
    case title = 0x7469_746C
    case lead = 0x6C65_6164
}
