public import Foundation
public import Feeds
public import Dedup

/// A feed row as the pipeline and `aggregator feeds` see it.
public struct FeedRecord: Sendable {
    public var id: Int64
    public var name: String
    public var url: String
    public var effectiveURL: String?
    public var title: String?
    public var siteLink: String?
    public var etag: String?
    public var lastModified: String?
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var consecutiveFailures: Int
    public var nextDue: Date?
    public var gone: Bool
    public var redirectTarget: String?
    public var redirectCount: Int
    public var lastUnconditional: Date?
    public var ttlMinutes: Int?
}

/// What one fetch of a feed changed in its state row (validators, health, schedule).
public struct FetchStateUpdate: Sendable {
    public var attemptedAt: Date
    public var succeeded: Bool
    public var status: Int?
    public var error: String?
    public var etag: String?
    public var lastModified: String?
    /// Replace the stored validators (a 200 does, a 304 keeps them, a failure keeps them).
    public var replaceValidators: Bool
    public var nextDue: Date?
    public var consecutiveFailures: Int
    public var gone: Bool
    public var effectiveURL: String?
    public var redirectTarget: String?
    public var redirectCount: Int
    public var unconditional: Bool
    public var title: String?
    public var siteLink: String?
    public var ttlMinutes: Int?

    public init(attemptedAt: Date, succeeded: Bool) {
        self.attemptedAt = attemptedAt
        self.succeeded = succeeded
        self.replaceValidators = false
        self.consecutiveFailures = 0
        self.gone = false
        self.redirectCount = 0
        self.unconditional = false
    }
}

/// A parsed item ready to store: the item, its dedup input and its fingerprint (computed off the writer thread).
public struct PreparedItem: Sendable {
    public var item: Item { didSet { encoded = Encoded(item, fingerprint, lineHashes) } }
    public var document: DedupDocument
    public var fingerprint: Fingerprint { didSet { encoded = Encoded(item, fingerprint, lineHashes) } }
    public var contentHash: Int64
    public var lineHashes: [UInt64] { didSet { encoded = Encoded(item, fingerprint, lineHashes) } }
    /// Its candidates in a read snapshot, judged already (set by `CandidateReader.lookUp`).
    public internal(set) var lookup: SnapshotLookup?

    /// Forgets the snapshot lookup (the writer then looks the candidates up itself).
    public mutating func dropLookup() { lookup = nil }
    /// The column values the writer binds that do not depend on the database, encoded where the item is
    /// prepared (the parse tasks, on every core) instead of on the one writer.
    private(set) var encoded: Encoded

    struct Encoded: Sendable {
        var categories: String
        var enclosures: String
        var fingerprint: [UInt8]
        /// The index keys, sorted, without repeats.
        var indexKeys: [Int64]
        /// The line hashes without repeats (the feed's line counts add each once per item).
        var distinctLines: [UInt64]
        /// The length of its text as SQLite counts it (`ClusterMember.characters`).
        var characters: Int

        init(_ item: Item, _ fingerprint: Fingerprint, _ lineHashes: [UInt64]) {
            categories = item.categories.isEmpty ? "[]" : Store.json(item.categories)
            enclosures = item.enclosures.isEmpty ? "[]" : Store.json(item.enclosures)
            self.fingerprint = fingerprint.encoded()
            indexKeys = fingerprint.distinctIndexKeys
            distinctLines = Array(Set(lineHashes))
            characters = ClusterMember.characters(item.content ?? item.summary ?? "")
        }
    }

    public init(item: Item, document: DedupDocument, fingerprint: Fingerprint, contentHash: Int64, lineHashes: [UInt64]) {
        self.item = item
        self.document = document
        self.fingerprint = fingerprint
        self.contentHash = contentHash
        self.lineHashes = lineHashes
        encoded = Encoded(item, fingerprint, lineHashes)
    }
}

/// What storing one feed's items did.
public struct IngestSummary: Sendable {
    public var newItems = 0
    public var updatedItems = 0
    public var newClusters = 0
    /// New items that joined a cluster holding another portal's copy.
    public var joinedStories = 0
    public init() {}
}

/// The aggregator's database: schema, feeds, items, clusters.
public final class Store {
    public let db: Database
    /// Judges each member's similarity to its cluster's representative (set to the run's settings).
    public var deduplicator = Deduplicator()
    /// The writer's Bloom filter in front of `band_keys` (see `KeyFilter`).
    var keyFilter = KeyFilterState(maintains: true)
    /// Index rows of the open transaction, written at its commit.
    var pendingKeys = PendingKeys()
    /// Items written since the run's snapshots were taken (see `CandidateReader`), when enabled.
    var recent = RecentItems()
    private var usesSnapshotLookups = false
    /// False once an item came without its lookup or a transaction rolled back: from then on the writer looks
    /// every item up itself, in the table (its own rows written first).
    private var pipelineIntact = true
    /// How far this writer has committed the items a `CandidateReader` looked up (see `SnapshotLookup.sequence`).
    public let sequenceProgress = SequenceProgress()
    /// The stored item of each looked-up item still referenced by later lookups, by sequence number.
    private var sequenceIDs: [Int64: Int64] = [:]
    private var sequenceIDsFloor: Int64 = 0
    /// The last sequence number stored in the open transaction.
    private var transactionSequence: Int64 = 0
    /// Line counts of the open transaction's new items, written at its commit.
    var pendingLines: [LineKey: Int64] = [:]
    /// What `refreshCluster` reads of the clusters new items joined or started, kept so the next item to join
    /// one adds itself instead of reading every member again (a fetch refreshes a cluster per copy). Dropped
    /// whenever members change any other way (merge, edit, retention, recluster, rollback).
    var clusterMembers = ClusterMemberCache()

    struct LineKey: Hashable, Comparable {
        var feed: Int64
        var line: Int64
        static func < (a: LineKey, b: LineKey) -> Bool { a.feed < b.feed || (a.feed == b.feed && a.line < b.line) }
    }

    /// Opens (or creates) the database and brings its schema up to date.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        Store.registerSearchFunction()  // upkeep (issue 7): the search-index triggers call it
        db = try Database(path: path, readOnly: readOnly)
        if readOnly {
            let version = try db.scalarInt("SELECT max(version) FROM schema_migrations")
            if let version, version > Int64(Database.currentSchemaVersion) {
                throw StoreError(
                    code: 0, message: "written by a newer aggregator (schema \(version), this one knows \(Database.currentSchemaVersion)); upgrade aggregator",
                    context: path)
            }
        } else {
            try db.migrate()
        }
        db.beforeCommit = { [unowned self] in try self.writePending() }
        db.afterRollback = { [unowned self] in
            self.pendingKeys = PendingKeys()
            self.keyFilter.reset()
            self.pendingLines = [:]
            self.recent.invalidate()
            self.clusterMembers.removeAll()
            self.pipelineIntact = false
        }
        db.afterCommit = { [unowned self] in self.sequenceProgress.committed = self.transactionSequence }
    }

    /// From now on, items that carry a `SnapshotLookup` (from a `CandidateReader` on this database) are placed
    /// with it: the writer adds only the items stored since the snapshot. Keeps those items in memory until
    /// every snapshot in use sees them.
    public func enableSnapshotLookups() {
        usesSnapshotLookups = true
        pendingKeys.chained = false  // `recent` holds the open transaction's items too
    }

    /// A writer storing many items (fetch, recluster) keeps more of the indexes in memory: their pages are
    /// touched all over the file (random keys), and a miss costs a read. 256 MB page cache (a maximum, used as
    /// needed) and reads through a memory map.
    public func prepareForBulkWrites() {
        try? db.execute("PRAGMA cache_size = -262144")
        try? db.execute("PRAGMA mmap_size = 1073741824")
    }

    /// A writer storing many transactions in a row saves the candidate index's day filters once, at
    /// `saveDeferredKeyFilters`, instead of at every commit (see `KeyFilterState`).
    public func deferKeyFilterSaves() {
        keyFilter.defersSaves = true
    }

    /// Saves the day filters the transactions since `deferKeyFilterSaves` changed, in a transaction of its own,
    /// and saves at every commit again. When it fails, the days it could not save have no stored filter (they are
    /// built from their rows when next used).
    public func saveDeferredKeyFilters() throws {
        keyFilter.defersSaves = false
        guard keyFilter.hasUnsaved else { return }  // no write transaction for nothing (a run of 304s)
        try db.transaction { try keyFilter.saveDeferred(db: db) }
    }

    /// Frees the clusters kept for joins (`clusterMembers`), a cache: a run that ends can free it while its last
    /// checkpoint runs, instead of after its database closes (cold fetch of 1,000 feeds: ~30 ms).
    public func releaseClusterCache() {
        clusterMembers.removeAll()
    }

    // MARK: feeds

    /// Makes sure a row exists for every configured feed (by name) and that its URL is current.
    /// A feed whose URL changed starts afresh: no validators of the old URL (the new server could answer them
    /// with a 304 and its items would never be stored), no backoff, no pending redirect; items stay.
    /// - Returns: the feed rows, keyed by name.
    public func syncFeeds(_ feeds: [(name: String, url: String, title: String?)]) throws -> [String: FeedRecord] {
        try db.transaction {
            for feed in feeds {
                try db.run(
                    """
                    INSERT INTO feeds (name, url, title) VALUES (?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET
                        effective_url = CASE WHEN feeds.url = excluded.url THEN feeds.effective_url ELSE NULL END,
                        redirect_count = CASE WHEN feeds.url = excluded.url THEN feeds.redirect_count ELSE 0 END,
                        redirect_target = CASE WHEN feeds.url = excluded.url THEN feeds.redirect_target ELSE NULL END,
                        etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag ELSE NULL END,
                        last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified ELSE NULL END,
                        last_unconditional = CASE WHEN feeds.url = excluded.url THEN feeds.last_unconditional ELSE NULL END,
                        next_due = CASE WHEN feeds.url = excluded.url THEN feeds.next_due ELSE NULL END,
                        consecutive_failures = CASE WHEN feeds.url = excluded.url THEN feeds.consecutive_failures ELSE 0 END,
                        gone = CASE WHEN feeds.url = excluded.url THEN feeds.gone ELSE 0 END,
                        ttl_minutes = CASE WHEN feeds.url = excluded.url THEN feeds.ttl_minutes ELSE NULL END,
                        url = excluded.url,
                        title = coalesce(excluded.title, feeds.title)
                    """, feed.name, feed.url, feed.title)
            }
        }
        var result: [String: FeedRecord] = [:]
        for record in try allFeeds() { result[record.name] = record }
        return result
    }

    static let feedColumns = """
        id, name, url, effective_url, title, site_link, etag, last_modified, last_attempt, last_success, last_status,
        last_error, consecutive_failures, next_due, gone, redirect_target, redirect_count, last_unconditional, ttl_minutes
        """

    static func feedRecord(_ row: Row) -> FeedRecord {
        func date(_ i: Int) -> Date? { row.intOrNil(i).map { Date(timeIntervalSince1970: Double($0)) } }
        return FeedRecord(
            id: row.int(0), name: row.text(1), url: row.text(2), effectiveURL: row.textOrNil(3), title: row.textOrNil(4),
            siteLink: row.textOrNil(5), etag: row.textOrNil(6), lastModified: row.textOrNil(7), lastAttempt: date(8),
            lastSuccess: date(9), lastStatus: row.intOrNil(10).map { Int($0) }, lastError: row.textOrNil(11),
            consecutiveFailures: Int(row.int(12)), nextDue: date(13), gone: row.int(14) != 0,
            redirectTarget: row.textOrNil(15), redirectCount: Int(row.int(16)), lastUnconditional: date(17),
            ttlMinutes: row.intOrNil(18).map { Int($0) })
    }

    public func allFeeds() throws -> [FeedRecord] {
        try db.query("SELECT \(Self.feedColumns) FROM feeds ORDER BY name").map(Self.feedRecord)
    }

    /// Records one fetch of a feed and stores its items, clustering each new one, all in ONE transaction:
    /// validators never get ahead of the items they cover.
    public func commitFetch(
        feedID: Int64, feedName: String, update: FetchStateUpdate, items: [PreparedItem], deduplicator: Deduplicator,
        windowDays: Double
    ) throws -> IngestSummary {
        try db.transaction {
            var summary = IngestSummary()
            for prepared in items {
                try ingest(prepared, feedID: feedID, feedName: feedName, now: update.attemptedAt,
                           deduplicator: deduplicator, windowDays: windowDays, summary: &summary)
            }
            try writeState(feedID: feedID, update)
            return summary
        }
    }

    private func writeState(feedID: Int64, _ u: FetchStateUpdate) throws {
        let now = Int64(u.attemptedAt.timeIntervalSince1970)
        try db.run(
            """
            UPDATE feeds SET
                last_attempt = ?, last_success = CASE WHEN ? THEN ? ELSE last_success END, last_status = ?, last_error = ?,
                etag = CASE WHEN ? THEN ? ELSE etag END, last_modified = CASE WHEN ? THEN ? ELSE last_modified END,
                consecutive_failures = ?, next_due = ?, gone = ?, effective_url = coalesce(?, effective_url),
                redirect_target = ?, redirect_count = ?,
                last_unconditional = CASE WHEN ? THEN ? ELSE last_unconditional END,
                title = coalesce(title, ?), site_link = coalesce(?, site_link),
                ttl_minutes = CASE WHEN ? THEN ? ELSE ttl_minutes END
            WHERE id = ?
            """,
            now, u.succeeded, now, u.status, u.error,
            u.replaceValidators, u.etag, u.replaceValidators, u.lastModified,
            u.consecutiveFailures, u.nextDue.map { Int64($0.timeIntervalSince1970) }, u.gone, u.effectiveURL,
            u.redirectTarget, u.redirectCount,
            u.unconditional, now,
            // A parsed 200 replaces the validators and the `<ttl>` alike (a feed may drop its ttl).
            u.title, u.siteLink, u.replaceValidators, u.ttlMinutes,
            feedID)
    }

    /// Records a failed attempt only (no items).
    public func recordState(feedID: Int64, _ update: FetchStateUpdate) throws {
        try db.transaction { try writeState(feedID: feedID, update) }
    }

    // MARK: items

    private func ingest(
        _ prepared: PreparedItem, feedID: Int64, feedName: String, now: Date, deduplicator: Deduplicator,
        windowDays: Double, summary: inout IngestSummary
    ) throws {
        let item = prepared.item
        let nowSeconds = Int64(now.timeIntervalSince1970)
        keyFilter.setNow(nowSeconds)
        if let sequence = prepared.lookup?.sequence, sequence > 0 { transactionSequence = max(transactionSequence, sequence) }
        if let existing = try db.query(
            "SELECT id, content_hash, cluster_id FROM items WHERE feed_id = ? AND item_key = ?", feedID, item.key
        ).first {
            // A later item's in-flight match with this one means the stored item (its text now, if edited).
            noteSequence(prepared, id: existing.int(0))
            // An edit keeps the item's identity and cluster; only its stored text changes.
            if existing.int(1) != prepared.contentHash {
                let stored = try db.scalarInt("SELECT item_time FROM items WHERE id = ?", existing.int(0)) ?? 0
                try updateItem(id: existing.int(0), item: item, prepared: prepared, itemTime: stored)
                // Its title, length and text changed: the cluster's headline, representative and similarities may.
                try refreshCluster(existing.int(2), now: nowSeconds)
                if usesSnapshotLookups { recent.add(existing.int(0), prepared, itemTime: stored, isEdit: true) }
                summary.updatedItems += 1
            }
            return
        }
        if try db.scalarInt("SELECT 1 FROM pruned_keys WHERE feed_id = ? AND item_key = ?", feedID, item.key) != nil {
            // Retention removed this item while the feed still lists it: it is not news again.
            return
        }
        let itemTime = Int64((item.published ?? item.updated ?? now).timeIntervalSince1970)
        let placement = try place(prepared, itemTime: itemTime, now: nowSeconds, windowDays: windowDays,
                                  deduplicator: deduplicator, title: item.title ?? "", reuse: nil)
        let clusterID = placement.clusterID
        if placement.created { summary.newClusters += 1 }
        try db.run(
            """
            INSERT INTO items (feed_id, item_key, guid, title, link, canonical_url, summary, content, author, published,
                updated, categories, enclosures, item_time, first_stored, content_hash, cluster_id, similarity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            feedID, item.key, item.id, item.title ?? "", item.link, prepared.document.canonicalURL, item.summary,
            item.content, item.author, item.published.map { Int64($0.timeIntervalSince1970) },
            item.updated.map { Int64($0.timeIntervalSince1970) }, prepared.encoded.categories,
            prepared.encoded.enclosures, itemTime, nowSeconds, prepared.contentHash, clusterID, placement.similarity)
        let itemID = db.lastInsertRowID
        noteSequence(prepared, id: itemID)
        try db.run("INSERT OR IGNORE INTO search_pending (item_id) VALUES (?)", itemID)
        try writeFingerprint(prepared, itemID: itemID, itemTime: itemTime, replacing: false)
        // Line counts are added up for the whole transaction and written at its commit (`writePendingLines`).
        for line in prepared.encoded.distinctLines {
            pendingLines[LineKey(feed: feedID, line: Int64(bitPattern: line)), default: 0] += 1
        }
        summary.newItems += 1
        let member = ClusterMember(
            id: itemID, title: item.title ?? "", time: itemTime,
            length: prepared.encoded.characters, feed: feedID)
        if placement.created {
            // A brand-new cluster already holds this item's headline and time span (see `place`): only its
            // representative is missing, which is what `refreshCluster` would compute for one member.
            try db.run("UPDATE clusters SET representative_item_id = ? WHERE id = ?", itemID, clusterID)
            clusterMembers.set(
                clusterID,
                .init(
                    members: [member], representative: itemID,
                    representativePrint: (prepared.fingerprint, prepared.document.canonicalURL)))
        } else {
            let feeds = try refreshCluster(
                clusterID, now: nowSeconds, joined: member, print: (prepared.fingerprint, prepared.document.canonicalURL))
            if feeds.contains(where: { $0 != feedID }) { summary.joinedStories += 1 }
        }
    }

    /// Finds the cluster for a new item among its candidates (index lookups only) and applies the decision:
    /// joins a cluster (merging others into the older id when the rule says so) or starts a new one, reusing
    /// `reuse` as its id when given and free (recluster keeps ids stable).
    func place(
        _ prepared: PreparedItem, itemTime: Int64, now: Int64, windowDays: Double, deduplicator: Deduplicator,
        title: String, reuse: Int64?
    ) throws -> (clusterID: Int64, similarity: Double, created: Bool) {
        let window = CandidateQuery.window(for: prepared.item, itemTime: itemTime, now: now, windowDays: windowDays)
        let decision: ClusterDecision
        if usesSnapshotLookups, pipelineIntact, recent.isValid, let lookup = prepared.lookup {
            decision = try decide(prepared, lookup: lookup, deduplicator: deduplicator)
        } else {
            if usesSnapshotLookups {
                // Without its lookup, an in-flight match to this item could not be resolved later: the writer
                // looks everything up itself from now on, in the table, with its own index rows written first.
                pipelineIntact = false
                try writePendingKeys()
            }
            let candidates = try CandidateQuery.candidates(
                db: db, filter: &keyFilter, pending: usesSnapshotLookups ? nil : pendingKeys, for: prepared,
                window: window)
            decision = deduplicator.decide(prepared.fingerprint, doc: prepared.document, candidates: candidates)
        }
        if let joined = decision.clusterID {
            for other in decision.mergeClusterIDs where other != joined {
                try mergeCluster(other, into: joined, now: now)
            }
            return (joined, decision.similarity, false)
        }
        if let reuse, try db.scalarInt("SELECT 1 FROM clusters WHERE id = ?", reuse) == nil {
            try db.run(
                "INSERT INTO clusters (id, headline, first_seen, last_seen, updated) VALUES (?, ?, ?, ?, ?)",
                reuse, title, itemTime, itemTime, now)
            return (reuse, 1.0, true)
        }
        try db.run(
            "INSERT INTO clusters (headline, first_seen, last_seen, updated) VALUES (?, ?, ?, ?)",
            title, itemTime, itemTime, now)
        return (db.lastInsertRowID, 1.0, true)
    }

    /// The decision for an item looked up in a snapshot: its snapshot matches (in their clusters of now) plus the
    /// items stored after the snapshot or edited since, judged here.
    private func decide(_ prepared: PreparedItem, lookup: SnapshotLookup, deduplicator: Deduplicator) throws -> ClusterDecision {
        var matches: [JudgedMatch] = []
        var seen = Set<Int64>()
        func add(_ id: Int64, _ verdict: PairVerdict) throws {
            guard seen.insert(id).inserted,
                let cluster = try db.scalarInt("SELECT cluster_id FROM items WHERE id = ?", id)
            else { return }
            matches.append(JudgedMatch(itemID: id, clusterID: cluster, verdict: verdict))
        }
        // Items looked up before this one and maybe not in its snapshot: the reader judged them by sequence (in
        // the text it looked up: an item edited since is judged below in its new text).
        for match in lookup.inFlightMatches {
            if let id = sequenceIDs[match.sequence], !recent.isEdited(id) { try add(id, match.verdict) }
        }
        // The snapshot's matches, except items edited in this run (judged below in their new text).
        for match in lookup.matches where !recent.isEdited(match.itemID) { try add(match.itemID, match.verdict) }
        for (id, entry) in recent.candidates(for: prepared, after: lookup.visibleThrough, window: lookup.window) {
            let verdict = deduplicator.judge(
                prepared.fingerprint, entry.fingerprint, urlA: prepared.document.canonicalURL, urlB: entry.canonicalURL)
            if verdict.isMatch { try add(id, verdict) }
        }
        // Later lookups only name items after their own committed sequence, which only grows.
        if lookup.committedSequence > sequenceIDsFloor + 50_000 {
            sequenceIDsFloor = lookup.committedSequence
            sequenceIDs = sequenceIDs.filter { $0.key > lookup.committedSequence }
        }
        return deduplicator.decide(matches: matches)
    }

    /// Remembers which stored item a looked-up item became (for later in-flight matches with it).
    private func noteSequence(_ prepared: PreparedItem, id: Int64) {
        guard usesSnapshotLookups, let sequence = prepared.lookup?.sequence, sequence > 0 else { return }
        sequenceIDs[sequence] = id
    }

    /// Stores an item's fingerprint and its index keys (LSH bands, title and lead keys), replacing any it had.
    func writeFingerprint(_ fingerprint: Fingerprint, itemID: Int64, itemTime: Int64) throws {
        try deleteIndexKeys(itemID: itemID)
        try writeFingerprint(
            textHash: fingerprint.textHash, encoded: fingerprint.encoded(),
            indexKeys: fingerprint.distinctIndexKeys, itemID: itemID, itemTime: itemTime)
    }

    /// Stores a prepared item's fingerprint and index keys, encoded already. `replacing`: the item may have
    /// keys already (an edit), which go first.
    func writeFingerprint(_ prepared: PreparedItem, itemID: Int64, itemTime: Int64, replacing: Bool) throws {
        if replacing { try deleteIndexKeys(itemID: itemID) }
        try writeFingerprint(
            textHash: prepared.fingerprint.textHash, encoded: prepared.encoded.fingerprint,
            indexKeys: prepared.encoded.indexKeys, itemID: itemID, itemTime: itemTime)
    }

    private func writeFingerprint(
        textHash: UInt64, encoded: [UInt8], indexKeys: [Int64], itemID: Int64, itemTime: Int64
    ) throws {
        // An upsert, not INSERT OR REPLACE: a REPLACE may delete a row, which makes every insert a statement that
        // journals the pages it touches.
        try db.run(
            """
            INSERT INTO fingerprints (item_id, text_hash, data) VALUES (?, ?, ?)
            ON CONFLICT(item_id) DO UPDATE SET text_hash = excluded.text_hash, data = excluded.data
            """,
            itemID, Int64(bitPattern: textHash), encoded)
        // The rows go in at commit, sorted (`writePendingKeys`); until then lookups see them in `pendingKeys`.
        let period = KeyPeriods.period(itemTime)
        for key in indexKeys { pendingKeys.append(key, itemID, period: period) }
    }

    /// Writes what the open transaction deferred: index rows and line counts.
    func writePending() throws {
        try writePendingKeys()
        try keyFilter.save(db: db)
        try writePendingLines()
    }

    /// Adds the transaction's line counts to `feed_lines`, per feed: a line seen before (its feed's filter says
    /// so) or more than once now gets an upsert, in key order; a line seen for the first time only goes into the
    /// feed's filter of lines seen once (`feed_line_filters`). Every line with a row is in the filter, so a line
    /// that recurs is always counted, its first sighting included.
    func writePendingLines() throws {
        guard !pendingLines.isEmpty else { return }
        var byFeed: [Int64: [(line: Int64, count: Int64)]] = [:]
        for (key, count) in pendingLines { byFeed[key.feed, default: []].append((key.line, count)) }
        pendingLines.removeAll(keepingCapacity: true)
        let upsert = """
            INSERT INTO feed_lines (feed_id, line_hash, count) VALUES (?1, ?2, ?3 + ?4)
            ON CONFLICT(feed_id, line_hash) DO UPDATE SET count = count + ?3
            """
        for (feed, lines) in byFeed.sorted(by: { $0.key < $1.key }) {
            var filter = try lineFilter(feed: feed)
            var recurring: [(line: Int64, count: Int64, seenBefore: Bool)] = []
            for (line, count) in lines {
                let seen = filter.mightContain(line)
                if seen || count > 1 { recurring.append((line, count, seen)) }
                if !seen { filter.insert(line) }
            }
            recurring.sort { $0.line < $1.line }
            for line in recurring { try db.run(upsert, feed, line.line, line.count, line.seenBefore ? 1 : 0) }
            if filter.isOverfull {
                // Start afresh with the lines that have rows (they recur); those seen once are forgotten.
                filter = KeyFilter(words: Self.lineFilterWords)
                try db.integers("SELECT line_hash FROM feed_lines WHERE feed_id = ?", forEach: [feed]) { filter.insert($0) }
            }
            try db.run(
                """
                INSERT INTO feed_line_filters (feed_id, lines, bits) VALUES (?, ?, ?)
                ON CONFLICT(feed_id) DO UPDATE SET lines = excluded.lines, bits = excluded.bits
                """, feed, filter.count, filter.encoded)
        }
    }

    /// 8 KB per feed: about 4,000 lines seen once before it starts afresh (~1% false "seen before").
    static let lineFilterWords = 1_024

    /// The feed's filter of lines seen, or an empty one.
    private func lineFilter(feed: Int64) throws -> KeyFilter {
        if let row = try db.query("SELECT lines, bits FROM feed_line_filters WHERE feed_id = ?", feed).first,
            let filter = KeyFilter(encoded: row.blob(1), count: Int(row.int(0)))
        {
            return filter
        }
        // No filter yet (a feed stored before it existed): its lines with rows go in.
        var filter = KeyFilter(words: Self.lineFilterWords)
        try db.integers("SELECT line_hash FROM feed_lines WHERE feed_id = ?", forEach: [feed]) { filter.insert($0) }
        return filter
    }

    /// Writes the index rows of this transaction, sorted by key: neighbouring inserts land in the same pages
    /// while they are hot, and each page is dirtied once.
    func writePendingKeys() throws {
        guard !pendingKeys.isEmpty else { return }
        let rows = pendingKeys.drainSorted()
        try db.insert("INSERT OR IGNORE INTO band_keys (period, key, item_id) VALUES", triples: rows)
        // The day filters learn the keys now that the table holds them (sorted by day: one run per day).
        var start = 0
        while start < rows.count {
            let period = rows[start].0
            var end = start + 1
            while end < rows.count && rows[end].0 == period { end += 1 }
            try keyFilter.noteWritten(rows[start..<end].lazy.map { $0.1 }, period: period, db: db)
            start = end
        }
    }

    /// Removes an item's rows from the candidate index. `band_keys` has no item_id index (it would double the
    /// cost of every insert), so the keys are found through the item's stored fingerprint.
    /// - Returns: the number of index rows removed.
    @discardableResult
    func deleteIndexKeys(itemID: Int64) throws -> Int {
        try writePendingKeys()
        guard
            let row = try db.query(
                "SELECT p.data, i.item_time FROM fingerprints p JOIN items i ON i.id = p.item_id WHERE p.item_id = ?",
                itemID
            ).first,
            let fingerprint = try? Fingerprint(encoded: row.blob(0))
        else { return 0 }
        try db.run(
            "DELETE FROM band_keys WHERE period = ?3 AND key IN (SELECT value FROM json_each(?2)) AND item_id = ?1",
            itemID, Self.jsonArray(fingerprint.distinctIndexKeys), KeyPeriods.period(row.int(1)))
        return db.changes
    }

    /// A JSON array of integers, for binding a whole list as one parameter and reading it back with `json_each`
    /// (one statement per item instead of one per key). SQLite reads every 64-bit integer back exactly.
    static func jsonArray(_ values: some Sequence<Int64>) -> String {
        var text = "["
        for value in values {
            if text.utf8.count > 1 { text += "," }
            text += String(value)
        }
        return text + "]"
    }

    private func updateItem(id: Int64, item: Item, prepared: PreparedItem, itemTime: Int64) throws {
        try db.run(
            """
            UPDATE items SET title = ?, link = ?, canonical_url = ?, summary = ?, content = ?, author = ?,
                updated = ?, categories = ?, enclosures = ?, content_hash = ? WHERE id = ?
            """,
            item.title ?? "", item.link, prepared.document.canonicalURL, item.summary, item.content, item.author,
            item.updated.map { Int64($0.timeIntervalSince1970) }, prepared.encoded.categories,
            prepared.encoded.enclosures, prepared.contentHash, id)
        try writeFingerprint(prepared, itemID: id, itemTime: itemTime, replacing: true)
        clusterMembers.removeAll()  // its title and length changed
    }

    /// Moves every member of `source` into `target` (the older id survives) and drops `source`.
    func mergeCluster(_ source: Int64, into target: Int64, now: Int64) throws {
        clusterMembers.remove(source)
        clusterMembers.remove(target)
        try db.run("UPDATE items SET cluster_id = ? WHERE cluster_id = ?", target, source)
        try db.run("DELETE FROM clusters WHERE id = ?", source)
        try refreshCluster(target, now: now)
    }

    /// Recomputes a cluster's headline, representative, time span and `updated` (when its portal set grew).
    /// `joined`: the one item that joined since the last refresh; when the representative stays, only its
    /// similarity is new (the others' are to the same representative as before).
    /// - Returns: the feeds of its members.
    @discardableResult
    func refreshCluster(_ id: Int64, now: Int64, joined: ClusterMember? = nil, print: MemberPrint? = nil) throws -> Set<Int64> {
        var members: [ClusterMember]
        var previousRepresentative: Int64?
        var prints: [Int64: MemberPrint] = [:]
        if let joined, let print { prints[joined.id] = print }
        if let joined, let known = clusterMembers.take(id) {
            members = known.members
            members.insert(joined, at: members.firstIndex { ($0.time, $0.id) > (joined.time, joined.id) } ?? members.count)
            previousRepresentative = known.representative
            if let print = known.representativePrint { prints[known.representative] = print }
        } else {
            if joined != nil {
                previousRepresentative = try db.scalarInt("SELECT representative_item_id FROM clusters WHERE id = ?", id)
            }
            members = []
            try db.forEach(
                """
                SELECT i.id, i.title, i.item_time, length(coalesce(i.content, i.summary, '')), i.feed_id
                FROM items i WHERE i.cluster_id = ? ORDER BY i.item_time, i.id
                """, [id]
            ) { statement in
                let row = statement.row()
                members.append(
                    ClusterMember(id: row.int(0), title: row.text(1), time: row.int(2), length: Int(row.int(3)), feed: row.int(4)))
            }
        }
        guard let first = members.first else {
            try db.run("DELETE FROM clusters WHERE id = ?", id)
            return []
        }
        // The representative is the most complete copy (longest text); ties go to the earliest.
        var representative = first
        for member in members where member.length > representative.length { representative = member }
        // The headline is the earliest copy's title: the original is usually first, and syndicates edit it.
        let headline = members.first(where: { !$0.title.isEmpty })?.title ?? ""
        let firstSeen = members.map(\.time).min() ?? first.time
        let lastSeen = members.map(\.time).max() ?? first.time
        // `updated` moves when the story is carried by more than one portal (the digest's "new copies").
        let feeds = Set(members.map(\.feed))
        try db.run(
            """
            UPDATE clusters SET headline = ?, representative_item_id = ?, first_seen = ?, last_seen = ?,
                updated = CASE WHEN ? THEN ? ELSE updated END
            WHERE id = ?
            """, headline, representative.id, firstSeen, lastSeen, feeds.count > 1, now, id)
        if members.count > 1 {
            if let joined, previousRepresentative == representative.id {
                try updateSimilarities([joined.id, representative.id], representative: representative.id, prints: &prints)
            } else {
                try updateSimilarities(members.map(\.id), representative: representative.id, prints: &prints)
            }
        }
        if joined != nil {
            clusterMembers.set(
                id, .init(members: members, representative: representative.id, representativePrint: prints[representative.id]))
        }
        return feeds
    }

    /// Stores each member's similarity to the representative (1.0 for the representative itself), from the
    /// stored fingerprints: the representative changes when a more complete copy joins.
    /// `prints`: the members' fingerprints already known (the others are read and added).
    func updateSimilarities(_ members: [Int64], representative: Int64, prints fingerprints: inout [Int64: MemberPrint]) throws {
        let missing = members.filter { fingerprints[$0] == nil }
        if !missing.isEmpty {
            let marks = Array(repeating: "?", count: missing.count).joined(separator: ",")
            try db.forEach(
                "SELECT p.item_id, p.data, i.canonical_url FROM fingerprints p JOIN items i ON i.id = p.item_id WHERE p.item_id IN (\(marks))",
                missing
            ) { stmt in
                let row = stmt.row()
                if let fingerprint = try? Fingerprint(encoded: row.blob(1)) { fingerprints[row.int(0)] = (fingerprint, row.textOrNil(2)) }
            }
        }
        guard let reference = fingerprints[representative] else { return }
        for member in members {
            var similarity = 1.0
            if member != representative {
                guard let (fingerprint, url) = fingerprints[member] else { continue }
                // How much of the text is shared: resemblance, or containment of the smaller text in the larger
                // (a teaser inside the full article). Not the rule's lead evidence, which says "same story" but
                // would show an edited copy as identical.
                let evidence = PairEvidence(fingerprint, reference.0, urlA: url, urlB: reference.1)
                similarity = evidence.sameText ? 1 : (max(evidence.resemblance, evidence.containment) * 1000).rounded() / 1000
            }
            try db.run("UPDATE items SET similarity = ? WHERE id = ? AND similarity <> ?", similarity, member, similarity)
        }
    }

    /// Line-hash counts and item count of one feed: the input of its learned boilerplate model.
    public func lineStatistics(feedID: Int64) throws -> (counts: [UInt64: Int], items: Int) {
        try writePendingLines()
        var counts: [UInt64: Int] = [:]
        try db.forEach("SELECT line_hash, count FROM feed_lines WHERE feed_id = ? AND count > 1", [feedID]) { stmt in
            let row = stmt.row()
            counts[UInt64(bitPattern: row.int(0))] = Int(row.int(1))
        }
        let items = Int(try db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ?", feedID) ?? 0)
        return (counts, items)
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// What `Store.refreshCluster` needs of a member: the headline is the earliest title, the representative the
/// longest text (in characters, as SQLite's `length` counts them).
struct ClusterMember {
    var id: Int64
    var title: String
    var time: Int64
    var length: Int
    var feed: Int64

    /// The characters SQLite's `length` counts in `text` (code points): its UTF-8 bytes that do not continue a
    /// sequence. Over the contiguous bytes (`unicodeScalars.count` walked them one scalar at a time: 5% of a
    /// cold fetch's writer).
    static func characters(_ text: String) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 0
            for b in bytes where b & 0xC0 != 0x80 { count += 1 }
            return count
        } ?? text.unicodeScalars.count
    }
}

/// A member's fingerprint and canonical URL: what its similarity to the representative is computed from.
typealias MemberPrint = (fingerprint: Fingerprint, url: String?)

/// The members of the clusters the writer touched lately (see `Store.clusterMembers`), with the representative's
/// fingerprint when known, bounded: forgotten all at once past `limit` clusters (a fingerprint is ~1 KB).
struct ClusterMemberCache {
    struct Entry {
        var members: [ClusterMember]
        var representative: Int64
        var representativePrint: MemberPrint?
    }
    private var clusters: [Int64: Entry] = [:]
    static let limit = 20_000

    mutating func set(_ id: Int64, _ entry: Entry) {
        if clusters.count >= Self.limit && clusters[id] == nil { clusters.removeAll(keepingCapacity: true) }
        clusters[id] = entry
    }

    mutating func take(_ id: Int64) -> Entry? { clusters.removeValue(forKey: id) }

    mutating func remove(_ id: Int64) { clusters[id] = nil }

    mutating func removeAll() { clusters.removeAll() }
}
