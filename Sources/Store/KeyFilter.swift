/// A Bloom filter over the keys of `band_keys`, kept by the writer in front of the index: most index keys of a
/// new item belong to no stored item (only copies share keys), and a key the filter has never seen needs no
/// lookup. Answers "maybe" for every key in the table (no false negatives: every key written through this
/// Store is added, and the filter is built from the table itself), so candidates are exactly the same with or
/// without it. Deleted keys stay set (a needless lookup at worst).
///
/// Built only when it pays: a lookup costs about as much as scanning 20 rows of the table (~1.5 us vs ~0.07 us),
/// so the writer starts with plain lookups and builds the filter once it has made more lookups than the table
/// holds rows / `buildRatio` (a big first fetch builds it almost at once; a small hourly run never does).
struct KeyFilter {
    private var bits: [UInt64]
    private let mask: UInt64
    private(set) var count = 0

    /// A filter sized for `expectedKeys` at about 16 bits per key (false-positive rate ~0.1% with 3 probes,
    /// ~2% at four times as many keys).
    init(expectedKeys: Int) {
        var words = 1 << 14
        while words * 64 < expectedKeys * 16 && words < 1 << 28 { words <<= 1 }
        self.init(words: words)
    }

    /// An empty filter of `words` 64-bit words (a power of two).
    init(words: Int) {
        bits = [UInt64](repeating: 0, count: words)
        mask = UInt64(words * 64 - 1)
    }

    /// A filter stored as `encoded` (little-endian words, a power of two of them) holding `count` keys; nil when
    /// the blob is not one.
    init?(encoded: [UInt8], count: Int) {
        let words = encoded.count / 8
        guard words > 0, words & (words - 1) == 0, encoded.count == words * 8 else { return nil }
        var bits = [UInt64](repeating: 0, count: words)
        for w in 0..<words {
            var value: UInt64 = 0
            for b in 0..<8 { value |= UInt64(encoded[w * 8 + b]) << (8 * UInt64(b)) }
            bits[w] = value
        }
        self.bits = bits
        mask = UInt64(words * 64 - 1)
        self.count = count
    }

    /// The bits as little-endian words.
    var encoded: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bits.count * 8)
        for word in bits {
            for b in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(b)))) }
        }
        return out
    }

    /// Keys are hashes already; three probes from its bits, remixed.
    @inline(__always)
    private func probes(_ key: Int64) -> (Int, Int, Int) {
        var h = UInt64(bitPattern: key)
        h = (h ^ (h >> 31)) &* 0x7FB5_D329_728E_A185
        let a = h & mask
        let b = (h >> 21) & mask
        let c = ((h >> 42) | (h << 22)) & mask
        return (Int(a), Int(b), Int(c))
    }

    mutating func insert(_ key: Int64) {
        let (a, b, c) = probes(key)
        bits.withUnsafeMutableBufferPointer { w in
            w[a >> 6] |= 1 << UInt64(a & 63)
            w[b >> 6] |= 1 << UInt64(b & 63)
            w[c >> 6] |= 1 << UInt64(c & 63)
        }
        count += 1
    }

    func mightContain(_ key: Int64) -> Bool {
        let (a, b, c) = probes(key)
        return bits.withUnsafeBufferPointer { w in
            (w[a >> 6] >> UInt64(a & 63)) & (w[b >> 6] >> UInt64(b & 63)) & (w[c >> 6] >> UInt64(c & 63)) & 1 == 1
        }
    }

    /// True when the filter holds so many keys that it answers "maybe" too often (rebuild it bigger).
    var isOverfull: Bool { count * 4 > bits.count * 64 / 4 }
}

/// When and how the writer uses a `KeyFilter`.
struct KeyFilterState {
    /// Build once lookups exceed table rows / this.
    static let buildRatio = 16
    /// Off only to check, in tests, that the filter changes no candidate.
    var enabled = true
    var filter: KeyFilter?
    var lookups = 0
    /// Rows the table held when last estimated (nil: not yet).
    var estimatedRows: Int?
    /// The periods `band_keys` has rows in (nil: not read yet; see `periods(from:to:db:)`).
    var periods: Set<Int64>?
    /// The oldest period the filter covers.
    var filterFrom: Int64 = .max
}

extension KeyFilterState {
    /// The index keys worth looking up in `db` for the given weeks (`periods`, newest first): all of them until
    /// the filter pays for itself, then, in the weeks it covers, those it may hold. `pending`: rows written to the
    /// table at commit; `unwritten`: rows of items looked up but maybe not stored yet (the filter must say "maybe"
    /// for both: they will be in the table).
    ///
    /// The filter covers the weeks from the oldest of the window it was built for onwards (new items land in new
    /// weeks; `noteWritten` adds them); a lookup in an older week (an old or undated item) reads all its keys.
    /// It pays once the lookups made would cost more than scanning those weeks' rows (`buildRatio` rows per
    /// lookup), counted from the items stored in them.
    /// `bound`: only rows of items up to this id are looked up (the filter is built from those alone).
    mutating func keysToLookUp(
        _ keys: [Int64], periods: [Int64], db: Database, pending: PendingKeys?, unwritten: PendingKeys? = nil,
        through bound: Int64 = .max
    ) throws -> [(period: Int64, keys: [Int64])] {
        guard enabled, let oldest = periods.last else { return periods.map { ($0, keys) } }
        if filter == nil {
            lookups += keys.count * periods.count
            let rows: Int
            if let known = estimatedRows {
                rows = known
            } else {
                // The items stored in those weeks (an index range count), times the keys an item has at most.
                rows = Int(
                    try db.scalarInt(
                        "SELECT count(*) FROM items WHERE item_time >= ?", oldest * KeyPeriods.seconds) ?? 0) * 40
                estimatedRows = rows
            }
            if lookups * Self.buildRatio > rows {
                var built = KeyFilter(expectedKeys: rows + 1_000_000)
                try db.integers(
                    "SELECT key FROM band_keys WHERE period >= ?1 AND item_id <= ?2", first: oldest, forEach: [bound]
                ) { built.insert($0) }
                for row in pending?.rows ?? [] { built.insert(row.key) }
                for row in unwritten?.rows ?? [] { built.insert(row.key) }
                filter = built
                filterFrom = oldest
                estimatedRows = nil
                lookups = 0
            }
        }
        guard let filter else { return periods.map { ($0, keys) } }
        var maybe: [Int64]?
        return periods.map { period in
            guard period >= filterFrom else { return (period, keys) }
            if maybe == nil { maybe = keys.filter(filter.mightContain) }
            return (period, maybe ?? keys)
        }
    }

    /// The periods with rows between those of `start` and `end` (times), newest first. Read once per connection
    /// with a loose index scan (one seek per period), then kept up to date by `noteWritten`.
    mutating func periods(from start: Int64, to end: Int64, db: Database) throws -> [Int64] {
        if periods == nil {
            var found = Set<Int64>()
            try db.integers(
                """
                WITH RECURSIVE p(x) AS (
                    SELECT min(period) FROM band_keys
                    UNION ALL SELECT (SELECT min(period) FROM band_keys WHERE period > p.x) FROM p WHERE p.x IS NOT NULL)
                SELECT x FROM p WHERE x IS NOT NULL
                """
            ) { found.insert($0) }
            periods = found
        }
        let first = KeyPeriods.period(start)
        let last = KeyPeriods.period(end)
        return (periods ?? []).filter { $0 >= first && $0 <= last }.sorted(by: >)
    }

    /// Adds keys that are (or will be) in the table; rebuilt bigger when next needed once it is overfull.
    mutating func noteWritten(_ keys: [Int64], period: Int64) {
        periods?.insert(period)
        guard filter != nil else { return }
        for key in keys { filter?.insert(key) }
        if filter?.isOverfull == true { filter = nil }
    }

    /// `noteWritten` for one key.
    mutating func noteWritten(key: Int64, period: Int64) {
        periods?.insert(period)
        guard filter != nil else { return }
        filter?.insert(key)
        if filter?.isOverfull == true { filter = nil }
    }
}
