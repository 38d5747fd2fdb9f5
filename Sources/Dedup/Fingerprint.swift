/// Everything stored per item to find and verify its duplicates later without its text.
public struct Fingerprint: Sendable, Equatable {
    /// One-permutation MinHash signature (`permutations` values; `UInt32.max` everywhere for an empty text).
    public var signature: [UInt32]
    /// Distinct shingles of the normalized text.
    public var shingleCount: Int
    /// Words of the normalized text.
    public var wordCount: Int
    /// Hash of the normalized text's words in order (0 for an empty text): identical texts share it.
    public var textHash: UInt64
    /// Hash of the normalized title's words in order (0 for an empty title).
    public var titleKey: UInt64
    /// Sorted distinct 32-bit hashes of the normalized title's words.
    public var titleWords: [UInt32]
    /// Sorted distinct 32-bit hashes of the first `leadShingles` shingles: exact lead containment.
    public var leadShingles: [UInt32]
    /// LSH band keys, one per band, band index mixed in.
    public var bandKeys: [Int64]
    /// Index keys from adjacent title word pairs (candidates for edited or truncated headlines).
    public var titleKeys: [Int64]
    /// Index keys from a value-sampled subset of the lead shingles (candidates for teaser vs full text).
    public var leadKeys: [Int64]

    public init(
        signature: [UInt32], shingleCount: Int, wordCount: Int, textHash: UInt64, titleKey: UInt64,
        titleWords: [UInt32], leadShingles: [UInt32], bandKeys: [Int64], titleKeys: [Int64], leadKeys: [Int64]
    ) {
        self.signature = signature
        self.shingleCount = shingleCount
        self.wordCount = wordCount
        self.textHash = textHash
        self.titleKey = titleKey
        self.titleWords = titleWords
        self.leadShingles = leadShingles
        self.bandKeys = bandKeys
        self.titleKeys = titleKeys
        self.leadKeys = leadKeys
    }

    /// All keys to put in the candidate index (`band_keys(key, item_id)`): bands, title pairs, lead samples.
    /// The kinds are hashed with different domain tags, so one table holds them all.
    public var indexKeys: [Int64] { bandKeys + titleKeys + leadKeys }

    /// `indexKeys` without repeats, sorted: the rows an item has in the candidate index.
    public var distinctIndexKeys: [Int64] { Set(indexKeys).sorted() }

    /// True when the normalized text is empty (title-only item).
    public var isEmptyText: Bool { shingleCount == 0 }
}

// MARK: - Blob encoding

extension Fingerprint {
    static let encodingVersion: UInt8 = 1

    /// A compact little-endian blob for SQLite: version, scalars, then length-prefixed arrays.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(
            40 + 4 * (signature.count + titleWords.count + leadShingles.count)
                + 8 * (bandKeys.count + titleKeys.count + leadKeys.count))
        out.append(Self.encodingVersion)
        put(UInt64(shingleCount), &out)
        put(UInt64(wordCount), &out)
        put(textHash, &out)
        put(titleKey, &out)
        put32s(signature, &out)
        put32s(titleWords, &out)
        put32s(leadShingles, &out)
        put64s(bandKeys, &out)
        put64s(titleKeys, &out)
        put64s(leadKeys, &out)
        return out
    }

    /// Decodes a blob written by `encoded()`.
    /// - Throws: `DedupError` if the blob is truncated, malformed or of an unknown version.
    public init(encoded bytes: [UInt8]) throws {
        var reader = ByteReader(bytes: bytes)
        let version = try reader.byte("version")
        guard version == Self.encodingVersion else { throw DedupError.unsupportedVersion(version) }
        let shingles = try reader.u64("shingle count")
        let words = try reader.u64("word count")
        guard shingles <= UInt64(Int32.max), words <= UInt64(Int32.max) else {
            throw DedupError.invalid("count out of range")
        }
        self.init(
            signature: [], shingleCount: Int(shingles), wordCount: Int(words), textHash: 0, titleKey: 0,
            titleWords: [], leadShingles: [], bandKeys: [], titleKeys: [], leadKeys: [])
        textHash = try reader.u64("text hash")
        titleKey = try reader.u64("title key")
        signature = try reader.u32s("signature")
        titleWords = try reader.u32s("title words")
        leadShingles = try reader.u32s("lead shingles")
        bandKeys = try reader.i64s("band keys")
        titleKeys = try reader.i64s("title keys")
        leadKeys = try reader.i64s("lead keys")
        guard reader.offset == bytes.count else {
            throw DedupError.invalid("\(bytes.count - reader.offset) trailing bytes")
        }
    }

    private func put(_ v: UInt64, _ out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private func put(_ v: UInt32, _ out: inout [UInt8]) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    private func put32s(_ values: [UInt32], _ out: inout [UInt8]) {
        put(UInt32(values.count), &out)
        for v in values { put(v, &out) }
    }

    private func put64s(_ values: [Int64], _ out: inout [UInt8]) {
        put(UInt32(values.count), &out)
        for v in values { put(UInt64(bitPattern: v), &out) }
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func byte(_ what: String) throws -> UInt8 {
        guard offset < bytes.count else { throw DedupError.truncated(what, at: offset, size: bytes.count) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ what: String) throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw DedupError.truncated(what, at: offset, size: bytes.count) }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func u64(_ what: String) throws -> UInt64 {
        guard offset + 8 <= bytes.count else { throw DedupError.truncated(what, at: offset, size: bytes.count) }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func count(_ what: String, width: Int) throws -> Int {
        let n = Int(try u32(what))
        guard n <= (bytes.count - offset) / width else {
            throw DedupError.truncated(what, at: offset, size: bytes.count)
        }
        return n
    }

    mutating func u32s(_ what: String) throws -> [UInt32] {
        let n = try count(what, width: 4)
        let start = offset
        offset += 4 * n
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { i in UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)) }
        }
    }

    mutating func i64s(_ what: String) throws -> [Int64] {
        let n = try count(what, width: 8)
        let start = offset
        offset += 8 * n
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { i in Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: Int64.self)) }
        }
    }
}
