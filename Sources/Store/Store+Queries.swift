public import Foundation

/// One stored item as cluster listings and the digest show it.
public struct StoredItem: Sendable {
    public var id: Int64
    public var feed: String
    public var feedTitle: String?
    public var title: String
    public var link: String?
    public var published: Date?
    public var itemTime: Date
    public var firstStored: Date
    public var similarity: Double
    public var summary: String?
    public var content: String?
    public var clusterID: Int64
}

/// A story cluster with its members (earliest first).
public struct StoredCluster: Sendable {
    public var id: Int64
    public var headline: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var updated: Date
    public var representativeItemID: Int64?
    public var items: [StoredItem]

    /// Distinct portals (feeds) that carried the story.
    public var feeds: [String] {
        var seen: [String] = []
        for item in items where !seen.contains(item.feed) { seen.append(item.feed) }
        return seen
    }
}

/// Filters for cluster listings.
public struct ClusterQuery: Sendable {
    /// Only clusters with a member in [since, until).
    public var since: Date?
    public var until: Date?
    public var minSize = 2
    public var minFeeds = 1
    public var feed: String?
    public var feedsWithTag: [String]?
    public var search: String?
    public var limit: Int?

    public init() {}
}

/// Health and counts of one feed for `aggregator feeds`.
public struct FeedHealth: Sendable {
    public var record: FeedRecord
    public var itemsStored: Int
    public var itemsLast7Days: Int
    public var averagePerDay: Double
}

extension Store {
    static let itemColumns = """
        i.id, f.name, f.title, i.title, i.link, i.published, i.item_time, i.first_stored, i.similarity, i.summary,
        i.content, i.cluster_id
        """

    static func storedItem(_ row: Row) -> StoredItem {
        StoredItem(
            id: row.int(0), feed: row.text(1), feedTitle: row.textOrNil(2), title: row.text(3), link: row.textOrNil(4),
            published: row.intOrNil(5).map { Date(timeIntervalSince1970: Double($0)) },
            itemTime: Date(timeIntervalSince1970: Double(row.int(6))),
            firstStored: Date(timeIntervalSince1970: Double(row.int(7))), similarity: row.double(8),
            summary: row.textOrNil(9), content: row.textOrNil(10), clusterID: row.int(11))
    }

    /// Members of one cluster, earliest first.
    public func members(ofCluster id: Int64) throws -> [StoredItem] {
        try db.query(
            """
            SELECT \(Self.itemColumns) FROM items i JOIN feeds f ON f.id = i.feed_id
            WHERE i.cluster_id = ? ORDER BY i.item_time, i.id
            """, id
        ).map(Self.storedItem)
    }

    /// One cluster in full, or nil when there is no such id.
    public func cluster(id: Int64) throws -> StoredCluster? {
        guard
            let row = try db.query(
                "SELECT id, headline, first_seen, last_seen, updated, representative_item_id FROM clusters WHERE id = ?", id
            ).first
        else { return nil }
        return StoredCluster(
            id: row.int(0), headline: row.text(1), firstSeen: Date(timeIntervalSince1970: Double(row.int(2))),
            lastSeen: Date(timeIntervalSince1970: Double(row.int(3))),
            updated: Date(timeIntervalSince1970: Double(row.int(4))), representativeItemID: row.intOrNil(5),
            items: try members(ofCluster: id))
    }

    /// Clusters matching `query`, newest first.
    public func clusters(_ query: ClusterQuery) throws -> [StoredCluster] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let since = query.since {
            conditions.append("c.last_seen >= ?")
            arguments.append(Int64(since.timeIntervalSince1970))
        }
        if let until = query.until {
            conditions.append("c.first_seen < ?")
            arguments.append(Int64(until.timeIntervalSince1970))
        }
        if query.minSize > 1 {
            conditions.append("(SELECT count(*) FROM items m WHERE m.cluster_id = c.id) >= ?")
            arguments.append(query.minSize)
        }
        if query.minFeeds > 1 {
            conditions.append("(SELECT count(DISTINCT m.feed_id) FROM items m WHERE m.cluster_id = c.id) >= ?")
            arguments.append(query.minFeeds)
        }
        if let feed = query.feed {
            conditions.append(
                "EXISTS (SELECT 1 FROM items m JOIN feeds f ON f.id = m.feed_id WHERE m.cluster_id = c.id AND f.name = ?)")
            arguments.append(feed)
        }
        if let names = query.feedsWithTag {
            let marks = Array(repeating: "?", count: max(names.count, 1)).joined(separator: ",")
            conditions.append(
                "EXISTS (SELECT 1 FROM items m JOIN feeds f ON f.id = m.feed_id WHERE m.cluster_id = c.id AND f.name IN (\(marks)))")
            arguments.append(contentsOf: names.isEmpty ? [SQLValue.null] : names.map { $0 as any SQLBindable })
        }
        if let search = query.search, !search.isEmpty {
            let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append(
                "(c.headline LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM items m WHERE m.cluster_id = c.id AND m.title LIKE ? ESCAPE '\\'))")
            arguments.append(pattern)
            arguments.append(pattern)
        }
        var sql = "SELECT c.id FROM clusters c"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY c.last_seen DESC, c.id DESC"
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        var ids: [Int64] = []
        try db.forEach(sql, arguments) { ids.append($0.row().int(0)) }
        return try ids.compactMap { try cluster(id: $0) }
    }

    /// Health rows for every feed.
    public func feedHealth(now: Date) throws -> [FeedHealth] {
        let weekAgo = Int64(now.timeIntervalSince1970) - 7 * 86_400
        return try allFeeds().map { record in
            let stored = Int(try db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ?", record.id) ?? 0)
            let recent = Int(
                try db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ? AND first_stored >= ?", record.id, weekAgo) ?? 0)
            let span = try db.query("SELECT min(item_time), max(item_time) FROM items WHERE feed_id = ?", record.id).first
            var average = 0.0
            if let span, let low = span.intOrNil(0), let high = span.intOrNil(1) {
                let days = max(1.0, Double(high - low) / 86_400)
                average = Double(stored) / days
            }
            return FeedHealth(record: record, itemsStored: stored, itemsLast7Days: recent, averagePerDay: average)
        }
    }

    /// One item's stored text and fingerprint (for `explain`).
    public func itemDetail(id: Int64) throws -> (item: StoredItem, fingerprint: [UInt8])? {
        guard
            let row = try db.query(
                """
                SELECT \(Self.itemColumns), p.data FROM items i JOIN feeds f ON f.id = i.feed_id
                LEFT JOIN fingerprints p ON p.item_id = i.id WHERE i.id = ?
                """, id
            ).first
        else { return nil }
        return (Self.storedItem(row), row.blob(12))
    }

    /// Totals for the fetch summary and `stats`.
    public func counts() throws -> (items: Int, clusters: Int, feeds: Int) {
        (
            Int(try db.scalarInt("SELECT count(*) FROM items") ?? 0),
            Int(try db.scalarInt("SELECT count(*) FROM clusters") ?? 0),
            Int(try db.scalarInt("SELECT count(*) FROM feeds") ?? 0)
        )
    }
}
