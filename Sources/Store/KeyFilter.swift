/// A Bloom filter over the keys of one day of `band_keys`: most index keys of a new item belong to no stored
/// item (only copies share keys), and a key the filter has never seen needs no lookup. Answers "maybe" for every
/// key in the table (no false negatives: every row written adds its key, and a day without a stored filter gets
/// one built from the table itself), so candidates are exactly the same with or without it. Deleted keys stay
/// set (a needless lookup at worst).
///
/// Two layouts: `blocked` puts a key's three bits in one 512-bit block (one cache line: a lookup in a filter of
/// many megabytes costs one miss instead of three; slightly more false positives), for the day filters; the
/// spread layout is the one the feeds' line filters were stored in.
struct KeyFilter {
    private var bits: [UInt64]
    private let mask: UInt64
    let blocked: Bool
    private(set) var count = 0

    /// A filter sized for `expectedKeys` at about 16 bits per key (false-positive rate ~0.1% with 3 probes,
    /// ~2% at four times as many keys).
    init(expectedKeys: Int, blocked: Bool = false) {
        var words = 1 << 14
        while words * 64 < expectedKeys * 16 && words < 1 << 28 { words <<= 1 }
        self.init(words: words, blocked: blocked)
    }

    /// An empty filter of `words` 64-bit words (a power of two, at least 8).
    init(words: Int, blocked: Bool = false) {
        bits = [UInt64](repeating: 0, count: words)
        mask = UInt64(words * 64 - 1)
        self.blocked = blocked
    }

    /// A filter stored as `encoded` (little-endian words, a power of two of them) holding `count` keys; nil when
    /// the blob is not one.
    init?(encoded: [UInt8], count: Int, blocked: Bool = false) {
        let words = encoded.count / 8
        guard words >= 8, words & (words - 1) == 0, encoded.count == words * 8 else { return nil }
        var bits = [UInt64](repeating: 0, count: words)
        bits.withUnsafeMutableBytes { target in
            encoded.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        if UInt64(littleEndian: 1) != 1 {
            for w in bits.indices { bits[w] = UInt64(littleEndian: bits[w]) }
        }
        self.bits = bits
        mask = UInt64(words * 64 - 1)
        self.blocked = blocked
        self.count = count
    }

    /// The bits as little-endian words.
    var encoded: [UInt8] {
        var words = bits
        if UInt64(littleEndian: 1) != 1 {
            for w in words.indices { words[w] = words[w].littleEndian }
        }
        return words.withUnsafeBytes { Array($0) }
    }

    /// Keys are hashes already; three probes from its bits, remixed (blocked: a 512-bit block, then three bits
    /// in it).
    @inline(__always)
    private func probes(_ key: Int64) -> (Int, Int, Int) {
        var h = UInt64(bitPattern: key)
        h = (h ^ (h >> 31)) &* 0x7FB5_D329_728E_A185
        if blocked {
            let block = Int(h & mask) & ~511
            return (block | Int((h >> 37) & 511), block | Int((h >> 46) & 511), block | Int((h >> 55) & 511))
        }
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

/// The day filters (`KeyFilter`) a connection uses in front of `band_keys`, stored in `band_filters(period,
/// keys, bits)`.
///
/// The writer keeps them (`maintains`): every row it writes adds its key to its day's filter, loaded from the
/// table (or built from the day's rows when none is stored: a database from before the filters), and the
/// changed filters are saved before each commit, in the same transaction as the rows. An overfull filter is
/// rebuilt four times bigger from the day's rows (amortized: each growth scans the day once). The writer builds
/// a recent day's first filter with room for sixteen times the rows it has then (when they are fewer than
/// 262,144): a first fetch finds several days of items at once, and each day filled its filter a few commits
/// later (cold fetch of 1,000 feeds: the writer scanned 1.3 million rows in rebuilds, now 0.2 million).
///
/// A writer storing many transactions in a row (a fetch run) defers the saves (`defersSaves`): a day's filter
/// is megabytes, and saving every changed one at every commit wrote it again each half second (cold fetch of
/// 1,000 feeds: four days' filters, 18 MB in all; the run wrote 705 MB instead of 765). Instead, the first
/// commit that changes a day deletes its stored filter, in the same transaction as the rows, and
/// `saveDeferred` stores the filters once, at the end. A day without a stored filter is built from its rows,
/// so a run killed in between leaves no filter that misses a key: the next one to use the day rebuilds it.
///
/// A lookup reads, per day of its window, the keys its filter may hold. A reader loads a day's filter once and
/// keeps it: it is asked only for items the loaded filter covers (`CandidateReader` holds the newer ones) and is
/// told of the items it hands over (`noteWritten`). So no run scans the index to build a filter, whatever the
/// size of the history: the cost of a new item stays flat as the history grows.
struct KeyFilterState {
    /// Off: every key of every day is looked up (tests check the filters change no candidate; a reader while
    /// another one's items are in flight).
    var enabled = true
    /// True for the writer: keeps the stored filters up to date.
    var maintains = false
    /// The filter of each day used so far.
    private(set) var filters: [Int64: KeyFilter] = [:]
    /// Days whose filter changed since it was saved.
    private var dirty = Set<Int64>()
    /// The periods `band_keys` has rows in (nil: not read yet; see `periods(from:to:db:)`).
    var periods: Set<Int64>?
    /// Days before this one have no filter: looked up key by key, and not kept (their stored filter is dropped
    /// when the writer writes to them). Set from the clock (`setNow`): only an item from a feed's backlog reads
    /// them, and a filter for every day of the history would hold megabytes per day in memory.
    private(set) var recentFrom: Int64 = .min
    /// Old days whose stored filter the writer dropped.
    private var dropped = Set<Int64>()
    /// The writer saves changed filters at `saveDeferred` only; a commit deletes the stored filter of a day it
    /// changed instead (see above).
    var defersSaves = false
    /// Days whose stored filter a commit (or the open transaction) deleted, to be saved by `saveDeferred`.
    private var cleared = Set<Int64>()

    /// How many days before the current one keep a filter (as far back as an undated item's window reaches:
    /// `CandidateQuery.undatedLookbackDays`).
    static let recentDays: Int64 = 28

    init(maintains: Bool = false) {
        self.maintains = maintains
    }
}

extension KeyFilterState {
    /// A filter built from a day's rows has room for at least this many keys (the smallest holds 65,536).
    static let smallestKeys = 4_096

    /// The index keys worth looking up in `db` for the given days (`periods`, newest first): those their day's
    /// filter may hold. `bound`: only rows of items up to this id are looked up (a day built from the table
    /// here, for a reader, holds those alone).
    mutating func keysToLookUp(
        _ keys: [Int64], periods: [Int64], db: Database, through bound: Int64 = .max
    ) throws -> [(period: Int64, keys: [Int64])] {
        guard enabled else { return periods.map { ($0, keys) } }
        var result: [(period: Int64, keys: [Int64])] = []
        result.reserveCapacity(periods.count)
        for period in periods {
            guard period >= recentFrom else {
                result.append((period, keys))
                continue
            }
            let filter = try self.filter(period, db: db, through: bound)
            result.append((period, keys.filter(filter.mightContain)))
        }
        return result
    }

    /// The day's filter: in memory, stored, or built from its rows (up to item `bound`; all of them for the
    /// writer, which then saves it).
    private mutating func filter(_ period: Int64, db: Database, through bound: Int64 = .max) throws -> KeyFilter {
        try loadFilter(period, db: db, through: bound).filter
    }

    /// `filter(_:db:through:)`, and whether it was built from the day's rows just now.
    private mutating func loadFilter(
        _ period: Int64, db: Database, through bound: Int64 = .max
    ) throws -> (filter: KeyFilter, built: Bool) {
        if let known = filters[period] { return (known, false) }
        if let row = try db.query("SELECT keys, bits FROM band_filters WHERE period = ?", period).first,
            let stored = KeyFilter(encoded: row.blob(1), count: Int(row.int(0)), blocked: true)
        {
            filters[period] = stored
            return (stored, false)
        }
        let built = try Self.build(
            period, db: db, through: maintains ? .max : bound, minimumKeys: 0, growth: firstGrowth)
        filters[period] = built
        if maintains { dirty.insert(period) }
        return (built, true)
    }

    /// How many times its rows a day's first filter has room for: sixteen for the writer's recent days (see above).
    private var firstGrowth: (_ period: Int64, _ rows: Int) -> Int {
        { [maintains, recentFrom] period, rows in
            maintains && recentFrom != .min && period >= recentFrom && rows < 1 << 18 ? 16 : 4
        }
    }

    /// A filter of the day's rows (up to item `bound`), sized for `growth(period, rows)` times as many keys (at
    /// least `minimumKeys`).
    private static func build(
        _ period: Int64, db: Database, through bound: Int64, minimumKeys: Int,
        growth: (Int64, Int) -> Int = { _, _ in 4 }
    ) throws -> KeyFilter {
        var keys: [Int64] = []
        try db.integers(
            "SELECT key FROM band_keys WHERE period = ?1 AND item_id <= ?2", first: period, forEach: [bound]
        ) { keys.append($0) }
        let room = keys.count * growth(period, keys.count)
        var built = KeyFilter(expectedKeys: max(room, minimumKeys, smallestKeys), blocked: true)
        for key in keys { built.insert(key) }
        return built
    }

    /// The periods with rows that `window` overlaps, newest first. Read once per connection with a loose index
    /// scan (one seek per period), then kept up to date by `noteWritten`.
    mutating func periods(in window: CandidateWindow, db: Database) throws -> [Int64] {
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
        return (periods ?? []).filter { window.overlaps(KeyPeriods.times(of: $0)) }.sorted(by: >)
    }

    /// Rows of day `period` the table holds now: the writer adds their keys to the day's filter (loading or
    /// building it first, and growing it when overfull); a reader, to a filter it has loaded.
    mutating func noteWritten(_ keys: some Sequence<Int64>, period: Int64, db: Database) throws {
        periods?.insert(period)
        if period < recentFrom {
            // An old day: no filter is used, so none is kept; a stored one would go stale.
            filters[period] = nil
            if maintains, dropped.insert(period).inserted {
                try db.run("DELETE FROM band_filters WHERE period = ?", period)
            }
            return
        }
        if maintains {
            var (filter, built) = try loadFilter(period, db: db)
            filters[period] = nil  // one reference: inserting does not copy the bits
            // The rows are in the table already: a filter built from them now has their keys.
            if !built {
                for key in keys { filter.insert(key) }
            }
            if filter.isOverfull {
                filter = try Self.build(period, db: db, through: .max, minimumKeys: filter.count * 4)
            }
            filters[period] = filter
            dirty.insert(period)
        } else if var filter = filters[period] {
            filters[period] = nil
            for key in keys { filter.insert(key) }
            filters[period] = filter
        }
    }

    /// Forgets every filter (after a rollback: the stored ones are as they were, or deleted by an earlier commit
    /// of a deferring writer, and then built again from the rows).
    mutating func reset() {
        filters = [:]
        dirty = []
        dropped = []
        cleared = []
        periods = nil
    }

    /// Keeps filters for the days from `recentDays` before the one of `now` (seconds) onwards, and forgets the
    /// older ones it holds.
    mutating func setNow(_ now: Int64) {
        let from = KeyPeriods.period(now) - Self.recentDays
        guard from != recentFrom else { return }
        recentFrom = from
        for period in filters.keys where period < from {
            guard !dirty.contains(period) else { continue }  // saved first, at commit
            filters[period] = nil
        }
    }

    /// Saves the changed filters (the writer, before each commit); when saves are deferred, deletes the stored
    /// filters of the days changed since, once per day.
    mutating func save(db: Database) throws {
        guard maintains, !dirty.isEmpty else { return }
        if defersSaves {
            for period in dirty.sorted() where !cleared.contains(period) {
                try db.run("DELETE FROM band_filters WHERE period = ?", period)
                cleared.insert(period)
            }
            return
        }
        try write(db: db)
    }

    /// Whether a filter changed since the last save.
    var hasUnsaved: Bool { !dirty.isEmpty }

    /// Saves every filter changed since the last save (the writer, at the end of a run that deferred them; in a
    /// transaction of its own).
    mutating func saveDeferred(db: Database) throws {
        guard maintains, !dirty.isEmpty else { return }
        try write(db: db)
        cleared.removeAll()
    }

    private mutating func write(db: Database) throws {
        for period in dirty.sorted() {
            guard let filter = filters[period] else { continue }
            try db.run(
                """
                INSERT INTO band_filters (period, keys, bits) VALUES (?1, ?2, ?3)
                ON CONFLICT(period) DO UPDATE SET keys = excluded.keys, bits = excluded.bits
                """, period, filter.count, filter.encoded)
        }
        dirty.removeAll()
    }
}
