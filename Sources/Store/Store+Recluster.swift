public import Dedup
public import Feeds
public import Foundation

/// What `recluster` did.
public struct ReclusterSummary: Sendable {
    public var items = 0
    public var clustersBefore = 0
    public var clustersAfter = 0
    public var multiPortalBefore = 0
    public var multiPortalAfter = 0
}

extension Store {
    /// Rebuilds the clusters of every item stored at or after `since` (all items when nil) from their stored text,
    /// in one transaction: fingerprints are recomputed with the current settings and items are placed again in
    /// time order, as `fetch` would have placed them. A rebuilt cluster keeps its old id where it can.
    /// - Parameter prepare: turns a stored item back into its dedup input and fingerprint (the pipeline's code).
    public func recluster(
        since: Date?, deduplicator: Deduplicator, windowDays: Double, now: Date,
        prepare: (Item, String, BoilerplateModel?) -> PreparedItem
    ) throws -> ReclusterSummary {
        let sinceSeconds = since.map { Int64($0.timeIntervalSince1970) } ?? Int64.min
        let nowSeconds = Int64(now.timeIntervalSince1970)
        keyFilter.setNow(nowSeconds)
        clusterMembers.removeAll()  // every item moves
        defer { clusterMembers.removeAll() }
        return try db.transaction {
            var summary = ReclusterSummary()
            summary.clustersBefore = Int(try db.scalarInt("SELECT count(*) FROM clusters") ?? 0)
            summary.multiPortalBefore = try multiPortalClusters()
            // Items point at clusters that are about to be rebuilt: check the references at commit.
            try db.execute("PRAGMA defer_foreign_keys = ON")
            let rows = try db.query(
                """
                SELECT i.id, i.feed_id, f.name, i.item_key, i.guid, i.title, i.link, i.summary, i.content, i.author,
                    i.published, i.updated, i.item_time, i.cluster_id
                FROM items i JOIN feeds f ON f.id = i.feed_id
                WHERE i.item_time >= ? ORDER BY i.item_time, i.id
                """, sinceSeconds)
            let affected = Set(rows.map { $0.int(13) })
            for row in rows {
                try deleteIndexKeys(itemID: row.int(0))
                try db.run("DELETE FROM fingerprints WHERE item_id = ?", row.int(0))
            }
            for cluster in affected {
                let older = try db.scalarInt(
                    "SELECT count(*) FROM items WHERE cluster_id = ? AND item_time < ?", cluster, sinceSeconds) ?? 0
                if older == 0 { try db.run("DELETE FROM clusters WHERE id = ?", cluster) }
            }
            var models: [Int64: BoilerplateModel] = [:]
            var touched = Set<Int64>()
            for row in rows {
                let feedID = row.int(1)
                if models[feedID] == nil {
                    let stats = try lineStatistics(feedID: feedID)
                    models[feedID] = BoilerplateModel(
                        lineCounts: stats.counts, itemCount: stats.items, settings: deduplicator.settings)
                }
                func date(_ i: Int) -> Date? { row.intOrNil(i).map { Date(timeIntervalSince1970: Double($0)) } }
                let item = Item(
                    id: row.textOrNil(4), title: row.text(5), link: row.textOrNil(6), summary: row.textOrNil(7),
                    content: row.textOrNil(8), author: row.textOrNil(9), published: date(10), updated: date(11),
                    key: row.text(3))
                let prepared = prepare(item, row.text(2), models[feedID])
                let placement = try place(
                    prepared, itemTime: row.int(12), now: nowSeconds, windowDays: windowDays,
                    deduplicator: deduplicator, title: row.text(5), reuse: row.int(13))
                try db.run(
                    "UPDATE items SET cluster_id = ?, similarity = ? WHERE id = ?", placement.clusterID,
                    placement.similarity, row.int(0))
                try writeFingerprint(prepared.fingerprint, itemID: row.int(0), itemTime: row.int(12))
                touched.insert(placement.clusterID)
                summary.items += 1
            }
            for cluster in touched.sorted() { try refreshCluster(cluster, now: nowSeconds) }
            // Merges may have emptied clusters that were not rebuilt.
            try db.run("DELETE FROM clusters WHERE NOT EXISTS (SELECT 1 FROM items WHERE cluster_id = clusters.id)")
            summary.clustersAfter = Int(try db.scalarInt("SELECT count(*) FROM clusters") ?? 0)
            summary.multiPortalAfter = try multiPortalClusters()
            return summary
        }
    }

    private func multiPortalClusters() throws -> Int {
        Int(
            try db.scalarInt(
                "SELECT count(*) FROM (SELECT cluster_id FROM items GROUP BY cluster_id HAVING count(DISTINCT feed_id) > 1)"
            ) ?? 0)
    }
}
