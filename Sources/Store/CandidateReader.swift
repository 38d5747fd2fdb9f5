public import Foundation
public import Dedup
import Feeds

/// Candidates of one prepared item, found and judged off the writer thread (`CandidateReader`): in a read
/// snapshot, and among the items looked up before it that the snapshot may not hold. The writer adds only the
/// items edited during the run.
public struct SnapshotLookup: Sendable {
    /// Every item with an id up to this was visible to the snapshot (and every newer one was not).
    var visibleThrough: Int64
    /// The time window the candidates were limited to (the writer limits the newer ones to the same).
    var window: CandidateWindow
    /// The snapshot's candidates that verified as the same story (their clusters are read again when used:
    /// a merge since the snapshot may have moved them).
    var matches: [(itemID: Int64, verdict: PairVerdict)]
    /// This item's place in the reader's sequence, and the items before it that the snapshot may not hold
    /// (looked up earlier, maybe not stored yet) which verified, by sequence number: the writer knows their ids.
    var sequence: Int64 = 0
    var inFlightMatches: [(sequence: Int64, verdict: PairVerdict)] = []
    /// Neither this lookup nor a later one of the reader names an item up to this sequence number (they were
    /// committed, and the reader finds them in its snapshots).
    var committedSequence: Int64 = 0
}

/// How far the writer has committed the items a `CandidateReader` looked up (by their sequence numbers): set by
/// the Store after each commit, read by the reader before each snapshot. Shared by the two threads.
///
/// Sequence numbers are issued here too, so they stay unique for the Store's life across readers (one reader at a
/// time: the writer stores items in the order they were issued).
public final class SequenceProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    private var issued: Int64 = 0

    public init() {}

    /// The next sequence number.
    func issue() -> Int64 {
        lock.withLock {
            issued += 1
            return issued
        }
    }

    /// The last sequence number issued.
    var lastIssued: Int64 { lock.withLock { issued } }

    var committed: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = max(value, newValue) } }
    }
}

/// The times a new item's candidates may have: two spans, around the item's own time and around now (the same
/// span when the item is new; apart for an item from a feed's backlog, whose copies are near its own time,
/// while those stored lately may be near now). Two spans, not the one between them: a year-old item would
/// otherwise read a year of the index.
///
/// An undated item's time is only when we saw it: the index is read for the days of its spans (reaching back
/// `CandidateQuery.undatedLookbackDays`), and any candidate found there or among the items of the run passes,
/// whatever its time (`limitsTimes` false: a feed without dates fetched long after its stories ran still meets
/// the dated copies fetched with it).
public struct CandidateWindow: Sendable, Equatable {
    var aroundItem: ClosedRange<Int64>
    var aroundNow: ClosedRange<Int64>
    var limitsTimes = true

    func contains(_ time: Int64) -> Bool { !limitsTimes || aroundItem.contains(time) || aroundNow.contains(time) }

    /// True when the index rows of the times `times` are read.
    func overlaps(_ times: ClosedRange<Int64>) -> Bool { aroundItem.overlaps(times) || aroundNow.overlaps(times) }
}

extension Int64 {
    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func subtractingClamped(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }
}

/// Finds candidates by index lookups: band, title and lead keys (the newest `keyFanout` items of each) and the
/// canonical URL, limited to the time window. Shared by the writer's own lookups and the
/// `CandidateReader`'s.
enum CandidateQuery {
    /// At most this many items per index key are looked at (the newest).
    static let keyFanout = 8

    /// An undated item's time is only when we saw it: its copies may be older than that, so the index is read
    /// this far back for it (not through the whole history: the cost of a new item must not grow with the
    /// history). Older stored copies still join by canonical URL, and the run's own items at any time. Four
    /// weeks: as far back as the index keeps Bloom filters (`KeyFilterState.recentDays`).
    static let undatedLookbackDays: Int64 = 28

    /// The time window of a new item: `windowDays` around its time and around now.
    static func window(for item: Item, itemTime: Int64, now: Int64, windowDays: Double) -> CandidateWindow {
        let window = Int64(windowDays * 86_400)
        let dated = item.published != nil || item.updated != nil
        let back = dated ? window : max(window, undatedLookbackDays * 86_400)
        return CandidateWindow(
            aroundItem: itemTime.subtractingClamped(back)...itemTime.addingClamped(window),
            aroundNow: now.subtractingClamped(window)...now.addingClamped(window), limitsTimes: dated)
    }

    /// One prepared lookup per key and day of the window that has rows (a key that many items share, a stock phrase of a portal, tells nothing and
    /// must not cost hundreds of rows), the ids deduplicated here, then one statement for the distinct ids that
    /// pass the window test, with their fingerprints, in id order. `pending`: rows not yet in the table.
    /// `bound`: only items up to this id are candidates (the `CandidateReader` holds the newer ones in memory).
    static func candidates(
        db: Database, filter: inout KeyFilterState, pending: PendingKeys?,
        for prepared: PreparedItem, window: CandidateWindow, through bound: Int64 = .max
    ) throws -> [Candidate] {
        var ids = Set<Int64>()
        // Per key, the newest `keyFanout` items, newest days first.
        let periods = try filter.periods(in: window, db: db)
        let perPeriod = try filter.keysToLookUp(prepared.encoded.indexKeys, periods: periods, db: db, through: bound)
        if perPeriod.count == 1, let only = perPeriod.first {
            try db.integers(
                """
                SELECT item_id FROM band_keys WHERE period = ?1 AND key = ?2 AND item_id <= ?3
                ORDER BY item_id DESC LIMIT \(keyFanout)
                """,
                first: only.period, forEach: only.keys, third: bound
            ) { ids.insert($0) }
        } else if !perPeriod.isEmpty {
            var taken: [Int64: Int] = [:]
            for (period, keys) in perPeriod {
                let open = keys.filter { taken[$0, default: 0] < keyFanout }
                for key in open {
                    try db.integers(
                        """
                        SELECT item_id FROM band_keys WHERE period = ?1 AND key = ?2 AND item_id <= ?4
                        ORDER BY item_id DESC LIMIT ?3
                        """,
                        first: period, second: key, limit: Int64(keyFanout - taken[key, default: 0]), fourth: bound
                    ) { id in
                        ids.insert(id)
                        taken[key, default: 0] += 1
                    }
                }
            }
        }
        if let pending, !pending.isEmpty {
            for key in prepared.encoded.indexKeys { pending.items(key, limit: keyFanout, into: &ids) }
        }
        if let url = prepared.document.canonicalURL {
            try db.forEach("SELECT id FROM items WHERE canonical_url = ?1 AND id <= ?2", [url, bound]) {
                ids.insert($0.int64(0))
            }
        }
        // No lookup by text hash: the same text has the same signature, so its band keys find it (an index of
        // text hashes over the whole history cost a random insert per item, and its pages rewritten at every
        // commit grew with the history; see migration 9).
        guard !ids.isEmpty else { return [] }
        var result: [Candidate] = []
        try db.forEach(
            """
            SELECT i.id, i.cluster_id, f.name, p.data, i.canonical_url
            FROM items i JOIN feeds f ON f.id = i.feed_id JOIN fingerprints p ON p.item_id = i.id
            WHERE i.id IN (SELECT value FROM json_each(?1))
                AND (?7 = 0 OR i.canonical_url = ?2 OR i.item_time BETWEEN ?3 AND ?4 OR i.item_time BETWEEN ?5 AND ?6)
            ORDER BY i.id
            """,
            [
                Store.jsonArray(ids.sorted()), prepared.document.canonicalURL, window.aroundItem.lowerBound,
                window.aroundItem.upperBound, window.aroundNow.lowerBound, window.aroundNow.upperBound,
                window.limitsTimes,
            ]
        ) { statement in
            let row = statement.row()
            guard let fingerprint = try? Fingerprint(encoded: row.blob(3)) else { return }
            result.append(
                Candidate(
                    itemID: row.int(0), clusterID: row.int(1), feed: row.text(2), fingerprint: fingerprint,
                    canonicalURL: row.textOrNil(4)))
        }
        return result
    }
}

/// Looks up and judges the candidates of prepared items on a connection of its own, so the one writer only
/// resolves their clusters, decides and writes. The reading runs on the caller's thread (a thread of its own in
/// `fetch`, never the cooperative pool) while the writer writes on another: both cores work on storing.
///
/// Two sources: a read snapshot (one per call), and the items this reader looked up before, held in memory by
/// sequence number (`SnapshotLookup.inFlightMatches`; the writer knows which item each became, and says how far
/// it has committed through `SequenceProgress`). Candidates come out as if the writer had looked them up itself,
/// except for one bound: at most `keyFanout` items per key from each of the two sources.
///
/// The reader keeps the items of its run in memory (up to `maxHeld`), not only those in flight: the snapshot is
/// asked only for the items stored before them (`snapshotThrough`), and its Bloom filter holds only their keys.
/// So a copy of an item of the same run (most copies: syndicated stories arrive together) costs no index
/// lookup, and a first fetch into an empty database makes none at all. Past `maxHeld`, the committed items go
/// to the snapshot's side.
public final class CandidateReader {
    private let db: Database
    private var filter = KeyFilterState()
    private let deduplicator: Deduplicator
    private let progress: SequenceProgress
    /// The items looked up so far and not yet handed to the snapshot's side, by sequence number.
    private var held = RecentItems()
    /// At most this many items are held; then the committed ones go to the snapshot's side.
    /// `AGGREGATOR_READER_HOLD` sets it (0: hand every committed item over at once, for comparing).
    var maxHeld = ProcessInfo.processInfo.environment["AGGREGATOR_READER_HOLD"].flatMap { Int($0) } ?? 100_000
    /// Sequence numbers issued before this reader existed: until they are all committed (another reader's items
    /// in flight, only in tests), every item is handed to the snapshot's side as soon as it is committed.
    private let startIssued: Int64
    private var holdsRun = false
    /// The snapshot is asked only for items up to this id; the newer ones are held.
    private var snapshotThrough: Int64 = .max
    /// The items held are those after this sequence number.
    private var heldAfter: Int64 = 0

    /// Opens a second, read-only connection to the database at `path`, which `store` (the writer) has open.
    public init(path: String, deduplicator: Deduplicator, store: Store) throws(StoreError) {
        progress = store.sequenceProgress
        startIssued = progress.lastIssued
        db = try Database(path: path, readOnly: true)
        try? db.execute("PRAGMA cache_size = -131072")
        try? db.execute("PRAGMA mmap_size = 1073741824")
        self.deduplicator = deduplicator
    }

    /// Attaches a `SnapshotLookup` to each item: its matches among the items stored so far (one snapshot for the
    /// whole call). `now`: the time the writer will store them at (the window is around it and the item's time).
    public func lookUp(_ items: inout [PreparedItem], now: Date, windowDays: Double) throws {
        guard !items.isEmpty else { return }
        // Read before the snapshot begins: every item up to it is in the snapshot.
        let committed = progress.committed
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        let visibleThrough = try db.scalarInt("SELECT coalesce(max(id), 0) FROM items") ?? 0
        if !holdsRun && committed >= startIssued {
            // From now on the reader's items stay held: the snapshot answers for the items up to this one.
            holdsRun = true
            snapshotThrough = visibleThrough
            heldAfter = committed
        }
        if !holdsRun {
            held.trim(visibleThrough: committed)
            heldAfter = committed
        } else if held.count > maxHeld, committed > heldAfter {
            // The committed items go to the snapshot's side: it answers for them (they are in this snapshot),
            // and its filter must say "maybe" for their keys.
            var handed: [Int64: [Int64]] = [:]
            held.trim(visibleThrough: committed, all: true) { key, period in handed[period, default: []].append(key) }
            for (period, keys) in handed { try filter.noteWritten(keys, period: period, db: db) }
            heldAfter = committed
            snapshotThrough = visibleThrough
        }
        filter.setNow(Int64(now.timeIntervalSince1970))
        let bound = holdsRun ? snapshotThrough : .max
        // Before the reader holds its run, the items it hands over reach the table at no known time: no filter.
        filter.enabled = holdsRun
        let nowSeconds = Int64(now.timeIntervalSince1970)
        for index in items.indices {
            let prepared = items[index]
            let item = prepared.item
            let itemTime = Int64((item.published ?? item.updated ?? now).timeIntervalSince1970)
            let window = CandidateQuery.window(for: item, itemTime: itemTime, now: nowSeconds, windowDays: windowDays)
            let candidates = try CandidateQuery.candidates(
                db: db, filter: &filter, pending: nil, for: prepared, window: window, through: bound)
            var matches: [(itemID: Int64, verdict: PairVerdict)] = []
            for candidate in candidates {
                let verdict = deduplicator.judge(
                    prepared.fingerprint, candidate.fingerprint, urlA: prepared.document.canonicalURL,
                    urlB: candidate.canonicalURL)
                if verdict.isMatch { matches.append((candidate.itemID, verdict)) }
            }
            var inFlightMatches: [(sequence: Int64, verdict: PairVerdict)] = []
            for (sequence, entry) in held.candidates(for: prepared, after: heldAfter, window: window)
            {
                let verdict = deduplicator.judge(
                    prepared.fingerprint, entry.fingerprint, urlA: prepared.document.canonicalURL,
                    urlB: entry.canonicalURL)
                if verdict.isMatch { inFlightMatches.append((sequence, verdict)) }
            }
            let sequence = progress.issue()
            held.add(sequence, prepared, itemTime: itemTime, isEdit: false)
            items[index].lookup = SnapshotLookup(
                visibleThrough: visibleThrough, window: window, matches: matches,
                sequence: sequence, inFlightMatches: inFlightMatches, committedSequence: heldAfter)
            if !holdsRun {
                // It will be stored: a later snapshot must look in its day.
                try filter.noteWritten([], period: KeyPeriods.period(itemTime), db: db)
            }
        }
    }
}

/// Items held in memory with their fingerprints and index keys, answering candidate lookups like the table does:
/// the `CandidateReader`'s items in flight (by sequence number, dropped once committed), and the writer's items
/// edited during a run (a snapshot may still hold their old text and keys).
struct RecentItems {
    /// A class: entries are looked up for every candidate, and a struct of arrays would be retained field by field.
    final class Entry {
        let fingerprint: Fingerprint
        let canonicalURL: String?
        let itemTime: Int64

        init(fingerprint: Fingerprint, canonicalURL: String?, itemTime: Int64) {
            self.fingerprint = fingerprint
            self.canonicalURL = canonicalURL
            self.itemTime = itemTime
        }
    }

    /// Index rows of the new items, in insertion order (ids only grow), a chain per key, newest first; the
    /// same for their canonical URLs (hashed; compared again when used).
    private var keys = PendingKeys()
    private var urls = PendingKeys()
    private var entries: [Int64: Entry] = [:]
    /// Items edited in this run, whatever their id (a snapshot may hold their old text and keys).
    private var edited: [Int64: Entry] = [:]
    private var editedKeys = PendingKeys()
    /// Items up to this id are seen by every snapshot still to come.
    private var floor: Int64 = 0
    /// Leading rows of `keys` known to be at or below `floor`.
    private var seen = 0
    /// False after a rollback: what it holds no longer matches the database, so the writer looks up again.
    private(set) var isValid = true

    mutating func invalidate() {
        self = RecentItems()
        isValid = false
    }

    private static func urlKey(_ url: String) -> Int64 { Int64(truncatingIfNeeded: url.hashValue) }

    mutating func add(_ id: Int64, _ prepared: PreparedItem, itemTime: Int64, isEdit: Bool) {
        guard isValid else { return }
        let entry = Entry(fingerprint: prepared.fingerprint, canonicalURL: prepared.document.canonicalURL, itemTime: itemTime)
        if isEdit {
            edited[id] = entry
            for key in prepared.encoded.indexKeys { editedKeys.append(key, id) }
            return
        }
        let period = KeyPeriods.period(itemTime)
        for key in prepared.encoded.indexKeys { keys.append(key, id, period: period) }
        entries[id] = entry
        if let url = entry.canonicalURL { urls.append(Self.urlKey(url), id) }
    }

    func isEdited(_ id: Int64) -> Bool { edited[id] != nil }

    /// The number of items held (edits aside).
    var count: Int { entries.count }

    /// Forgets the items every snapshot still to come sees, once they are most of what is held (amortized), or
    /// all of them at once with `all`; `dropped` sees the index rows forgotten.
    mutating func trim(visibleThrough: Int64, all: Bool = false, dropped: (Int64, Int64) -> Void = { _, _ in }) {
        guard visibleThrough > floor else { return }
        floor = visibleThrough
        while seen < keys.count && keys.rows[seen].item <= floor { seen += 1 }
        guard seen > 0, all || seen * 2 >= keys.count else { return }
        for row in 0..<seen { dropped(keys.rows[row].key, keys.period(at: row)) }
        keys.dropRows(before: seen)
        seen = 0
        var u = 0
        while u < urls.count && urls.rows[u].item <= floor { u += 1 }
        urls.dropRows(before: u)
        entries = entries.filter { $0.key > floor }
    }

    /// The items stored after `visibleThrough` (or edited in this run) that share a key (the newest
    /// `keyFanout` of each), the canonical URL or the text with `prepared`, inside the window, in id order.
    func candidates(
        for prepared: PreparedItem, after visibleThrough: Int64, window: CandidateWindow
    ) -> [(id: Int64, entry: Entry)] {
        let url = prepared.document.canonicalURL
        // Ids gathered in an array, sorted and taken once each (a copy shares most of its ~30 keys with its
        // original: a hashed set paid a SipHash per row visited); without edits, no dictionary lookup per row.
        var found: [Int64] = []
        let fanout = CandidateQuery.keyFanout
        let noEdits = edited.isEmpty
        for key in prepared.encoded.indexKeys {
            var taken = 0
            keys.forEachItem(key) { item in
                if item <= visibleThrough { return false }  // older rows hold smaller ids
                if noEdits || edited[item] == nil {
                    found.append(item)
                    taken += 1
                }
                return taken < fanout
            }
        }
        if let url {
            urls.forEachItem(Self.urlKey(url)) { item in
                if item <= visibleThrough { return false }
                found.append(item)
                return true
            }
        }
        if !noEdits {
            var more = Set<Int64>()
            for key in prepared.encoded.indexKeys { editedKeys.items(key, limit: fanout, into: &more) }
            for (id, entry) in edited where url != nil && entry.canonicalURL == url { more.insert(id) }
            found.append(contentsOf: more)
        }
        guard !found.isEmpty else { return [] }
        found.sort()
        var result: [(id: Int64, entry: Entry)] = []
        var previous: Int64?
        for id in found where id != previous {
            previous = id
            guard let entry = edited[id] ?? (id > visibleThrough ? entries[id] : nil) else { continue }
            guard (url != nil && entry.canonicalURL == url) || window.contains(entry.itemTime) else { continue }
            result.append((id, entry))
        }
        return result
    }
}
