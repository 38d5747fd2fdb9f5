public import Foundation
import Dedup

/// What pruning removed (or, in a dry run, would remove).
public struct PruneCounts: Sendable, Equatable {
    public var items = 0
    /// Clusters left without members, deleted.
    public var clustersRemoved = 0
    /// Clusters that lost members but live on (headline and time span recomputed).
    public var clustersShrunk = 0
    public var fingerprints = 0
    public var bandKeys = 0
    public var batches = 0

    public init() {}
}

extension Store {
    /// Removes items first stored before their feed's cutoff, with their fingerprints, band keys, search text and
    /// emptied clusters, `batchSize` items per transaction so a run never holds the write lock for long.
    /// The time we stored an item decides, never the feed's claimed publication date (old, missing or wrong).
    /// - Parameters:
    ///   - cutoffs: feed id → the first-stored time before which its items go; feeds not listed are kept whole.
    ///   - dryRun: count what would go, change nothing.
    public func prune(cutoffs: [Int64: Date], batchSize: Int = 200, dryRun: Bool = false) throws -> PruneCounts {
        clusterMembers.removeAll()  // members go
        var counts = PruneCounts()
        guard !cutoffs.isEmpty else { return counts }
        try db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS prune_policy (feed_id INTEGER PRIMARY KEY, cutoff INTEGER NOT NULL)")
        try db.execute("DELETE FROM temp.prune_policy")
        defer { try? db.execute("DELETE FROM temp.prune_policy") }
        for (feedID, cutoff) in cutoffs {
            try db.run(
                "INSERT INTO temp.prune_policy (feed_id, cutoff) VALUES (?, ?)", feedID,
                Int64(cutoff.timeIntervalSince1970))
        }
        // CROSS JOIN keeps the policy table outside: each feed's expired items are one range of
        // items_feed_stored, so a batch never rescans items that are kept.
        let expired = """
            SELECT i.id FROM temp.prune_policy p CROSS JOIN items i
            ON i.feed_id = p.feed_id AND i.first_stored < p.cutoff
            """
        if dryRun {
            // Counted over a temporary list of the expired ids: joins by primary key, no correlated subqueries.
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS prune_ids (id INTEGER PRIMARY KEY)")
            try db.execute("DELETE FROM temp.prune_ids")
            defer { try? db.execute("DELETE FROM temp.prune_ids") }
            try db.run("INSERT INTO temp.prune_ids \(expired)")
            func count(_ sql: String) throws -> Int { Int(try db.scalarInt(sql) ?? 0) }
            counts.items = try count("SELECT count(*) FROM temp.prune_ids")
            counts.fingerprints = try count(
                "SELECT count(*) FROM temp.prune_ids x JOIN fingerprints f ON f.item_id = x.id")
            try db.forEach("SELECT f.data FROM temp.prune_ids x JOIN fingerprints f ON f.item_id = x.id", []) { row in
                if let fingerprint = try? Fingerprint(encoded: row.row().blob(0)) {
                    counts.bandKeys += fingerprint.distinctIndexKeys.count
                }
            }
            counts.clustersRemoved = try count(
                """
                SELECT count(*) FROM (
                    SELECT i.cluster_id AS cluster_id, count(*) AS expired
                    FROM temp.prune_ids x JOIN items i ON i.id = x.id GROUP BY i.cluster_id) t
                WHERE t.expired = (SELECT count(*) FROM items m WHERE m.cluster_id = t.cluster_id)
                """)
            counts.clustersShrunk =
                try count("SELECT count(DISTINCT i.cluster_id) FROM temp.prune_ids x JOIN items i ON i.id = x.id")
                - counts.clustersRemoved
            return counts
        }
        let now = Int64(Date().timeIntervalSince1970)
        // A cluster whose members span batches shrinks in one and goes in a later one: count it once, at the end.
        var touched = Set<Int64>(), removed = Set<Int64>()
        while true {
            let batch: (items: Int, touched: Set<Int64>, removed: Set<Int64>, fingerprints: Int, bandKeys: Int) =
                try db.transaction {
                    var ids: [Int64] = []
                    try db.forEach("\(expired) LIMIT ?", [max(1, batchSize)]) { ids.append($0.row().int(0)) }
                    guard !ids.isEmpty else { return (0, [], [], 0, 0) }
                    try writePending()  // line counts the open transaction holds back belong to the items counted here
                    var clusters = Set<Int64>()
                    var perFeed: [Int64: Int] = [:]
                    var fingerprints = 0, bandKeys = 0
                    for id in ids {
                        guard let row = try db.query("SELECT cluster_id, feed_id FROM items WHERE id = ?", id).first
                        else {
                            continue
                        }
                        clusters.insert(row.int(0))
                        perFeed[row.int(1), default: 0] += 1
                        fingerprints += Int(
                            try db.scalarInt("SELECT count(*) FROM fingerprints WHERE item_id = ?", id) ?? 0)
                        bandKeys += try deleteIndexKeys(itemID: id)
                    }
                    // Learned boilerplate statistics count lines per stored item; scale them down with the feed,
                    // since the lines of a removed item are not stored (an approximation that keeps the ratios).
                    for (feedID, removed) in perFeed {
                        let before = try db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ?", feedID) ?? 0
                        let after = max(0, before - Int64(removed))
                        if after == 0 {
                            try db.run("DELETE FROM feed_lines WHERE feed_id = ?", feedID)
                            try db.run("DELETE FROM feed_line_filters WHERE feed_id = ?", feedID)
                        } else if before > 0 {
                            try db.run(
                                "UPDATE feed_lines SET count = count * ? / ? WHERE feed_id = ?", after, before, feedID)
                            try db.run("DELETE FROM feed_lines WHERE feed_id = ? AND count <= 0", feedID)
                        }
                    }
                    // A day without rows left needs no filter.
                    try db.run(
                        "DELETE FROM band_filters WHERE NOT EXISTS (SELECT 1 FROM band_keys b WHERE b.period = band_filters.period)")
                    // Fingerprints and search text go with the item (ON DELETE CASCADE and triggers); band keys went above.
                    for id in ids {
                        try db.run(
                            """
                            INSERT OR REPLACE INTO pruned_keys (feed_id, item_key, pruned_at)
                            SELECT feed_id, item_key, ? FROM items WHERE id = ?
                            """, now, id)
                        try db.run("DELETE FROM items WHERE id = ?", id)
                    }
                    var removed = Set<Int64>()
                    for cluster in clusters.sorted() {
                        try refreshCluster(cluster, now: now)
                        if try db.scalarInt("SELECT count(*) FROM clusters WHERE id = ?", cluster) == 0 {
                            removed.insert(cluster)
                        }
                    }
                    return (ids.count, clusters, removed, fingerprints, bandKeys)
                }
            guard batch.items > 0 else { break }
            counts.batches += 1
            counts.items += batch.items
            touched.formUnion(batch.touched)
            removed.formUnion(batch.removed)
            counts.fingerprints += batch.fingerprints
            counts.bandKeys += batch.bandKeys
            if batch.items < batchSize { break }
        }
        counts.clustersRemoved = removed.count
        counts.clustersShrunk = touched.subtracting(removed).count
        return counts
    }

    /// Deletes feed rows that are no longer configured and hold no items (after `remove` and pruning).
    /// - Returns: the names removed.
    public func removeUnconfiguredFeeds(keeping names: Set<String>) throws -> [String] {
        clusterMembers.removeAll()  // members go
        var removed: [String] = []
        for feed in try allFeeds() where !names.contains(feed.name) {
            let items = try db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ?", feed.id) ?? 0
            guard items == 0 else { continue }
            try db.transaction { try db.run("DELETE FROM feeds WHERE id = ?", feed.id) }
            removed.append(feed.name)
        }
        return removed
    }

    /// Reclaims the space of deleted rows (rewrites the whole file; needs room for a copy).
    public func vacuum() throws {
        try db.execute("VACUUM")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Bytes of the database file plus its write-ahead log.
    public func fileBytes() -> Int64 {
        var total: Int64 = 0
        for path in [db.path, db.path + "-wal"] {
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
