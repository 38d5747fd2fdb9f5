public import Foundation
public import Store

/// The numbers `aggregator stats` shows.
public struct DatabaseStats: Sendable {
    public struct Portal: Sendable {
        public var name: String
        public var title: String?
        public var items: Int
        /// Items of this portal that copied a story another portal had first.
        public var copies: Int
    }

    public var path: String
    /// Database file plus write-ahead log.
    public var bytes: Int64
    /// Bytes in free pages (what `prune --vacuum` would give back).
    public var freeBytes: Int64
    public var feeds: Int
    public var items: Int
    public var clusters: Int
    /// Clusters carried by two or more portals.
    public var sharedStories: Int
    /// Items that are a later copy of a story another portal carried first.
    public var syndicatedCopies: Int
    public var oldestStored: Date?
    public var newestStored: Date?
    /// Items per day of first storage, oldest day first, over the last `days` days (days without items included).
    public var perDay: [(day: String, items: Int)]
    /// Portals by number of items, most first.
    public var topPortals: [Portal]

    public var syndicatedShare: Double { items == 0 ? 0 : Double(syndicatedCopies) / Double(items) }

    /// Reads the numbers from `store`. `days` of the per-day histogram end today in `timeZone`.
    public static func collect(store: Store, days: Int = 14, top: Int = 10, timeZone: TimeZone, now: Date = Date())
        throws -> DatabaseStats
    {
        let db = store.db
        let (items, clusters, feeds) = try store.counts()
        let pageSize = try db.scalarInt("PRAGMA page_size") ?? 4096
        let freePages = try db.scalarInt("PRAGMA freelist_count") ?? 0
        let shared =
            try db.scalarInt(
                """
                SELECT count(*) FROM (SELECT cluster_id FROM items GROUP BY cluster_id HAVING count(DISTINCT feed_id) > 1)
                """) ?? 0
        // A copy: another portal stored the same story earlier (by item time, then id).
        let copiesSQL = """
            EXISTS (SELECT 1 FROM items o WHERE o.cluster_id = i.cluster_id AND o.feed_id <> i.feed_id
                    AND (o.item_time < i.item_time OR (o.item_time = i.item_time AND o.id < i.id)))
            """
        let span = try db.query("SELECT min(first_stored), max(first_stored) FROM items").first
        let date = { (value: Int64?) in value.map { Date(timeIntervalSince1970: Double($0)) } }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: now)
        var perDay: [(day: String, items: Int)] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        for offset in stride(from: days - 1, through: 0, by: -1) {
            guard let start = calendar.date(byAdding: .day, value: -offset, to: today),
                let end = calendar.date(byAdding: .day, value: 1, to: start)
            else { continue }
            let count =
                try db.scalarInt(
                    "SELECT count(*) FROM items WHERE first_stored >= ? AND first_stored < ?",
                    Int64(start.timeIntervalSince1970), Int64(end.timeIntervalSince1970)) ?? 0
            perDay.append((formatter.string(from: start), Int(count)))
        }
        // Days before the first stored item say nothing: start the table at the first day with items.
        if let first = perDay.firstIndex(where: { $0.items > 0 }) { perDay.removeFirst(first) }

        var portals: [Portal] = []
        try db.forEach(
            """
            SELECT f.name, f.title, count(i.id), sum(CASE WHEN \(copiesSQL) THEN 1 ELSE 0 END)
            FROM feeds f JOIN items i ON i.feed_id = f.id
            GROUP BY f.id ORDER BY count(i.id) DESC, f.name LIMIT ?
            """, [max(1, top)]
        ) { statement in
            let row = statement.row()
            portals.append(
                Portal(name: row.text(0), title: row.textOrNil(1), items: Int(row.int(2)), copies: Int(row.int(3))))
        }
        let copies = try db.scalarInt("SELECT count(*) FROM items i WHERE \(copiesSQL)") ?? 0
        return DatabaseStats(
            path: db.path, bytes: store.fileBytes(), freeBytes: freePages * pageSize, feeds: feeds, items: items,
            clusters: clusters, sharedStories: Int(shared), syndicatedCopies: Int(copies),
            oldestStored: date(span?.intOrNil(0)), newestStored: date(span?.intOrNil(1)), perDay: perDay,
            topPortals: portals)
    }

    /// The text report.
    public func text() -> String {
        func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
        var out = "database     \(path)\n"
        out +=
            "size         \(ByteCount.format(bytes)) (\(ByteCount.format(freeBytes)) free; prune --vacuum reclaims it)\n"
        out += "feeds        \(feeds)\n"
        out += "items        \(items)\n"
        out += "stories      \(clusters) (\(sharedStories) carried by two or more portals)\n"
        out +=
            "copies       \(syndicatedCopies) items (\(percent(syndicatedShare))) repeat a story another portal had first\n"
        if let oldestStored, let newestStored {
            out += "stored       \(RFC3339.format(oldestStored)) .. \(RFC3339.format(newestStored))\n"
        }
        if !perDay.isEmpty {
            out += "\nitems per day (first stored)\n"
            let peak = max(1, perDay.map(\.items).max() ?? 1)
            for (day, count) in perDay {
                let bar = String(repeating: "#", count: Int((Double(count) / Double(peak) * 40).rounded(.up)))
                out += "  \(day)  \(String(count).leftPadded(7))" + (bar.isEmpty ? "" : "  \(bar)") + "\n"
            }
        }
        if !topPortals.isEmpty {
            out += "\ntop portals\n"
            let width = max(8, topPortals.map(\.name.count).max() ?? 8)
            for portal in topPortals {
                let share = portal.items == 0 ? 0 : Double(portal.copies) / Double(portal.items)
                out += "  \(portal.name.padding(toLength: width, withPad: " ", startingAt: 0))  "
                out += "\(String(portal.items).leftPadded(7)) items  \(percent(share).leftPadded(6)) copies\n"
            }
        }
        return out
    }

    /// The JSON report.
    public func json() -> String {
        let object: [String: Any] = [
            "database": path, "bytes": bytes, "free_bytes": freeBytes, "feeds": feeds, "items": items,
            "clusters": clusters, "shared_stories": sharedStories, "syndicated_copies": syndicatedCopies,
            "syndicated_share": (syndicatedShare * 10_000).rounded() / 10_000,
            "oldest_stored": oldestStored.map { RFC3339.format($0) as Any } ?? NSNull(),
            "newest_stored": newestStored.map { RFC3339.format($0) as Any } ?? NSNull(),
            "per_day": perDay.map { ["day": $0.day, "items": $0.items] as [String: Any] },
            "top_portals": topPortals.map {
                ["name": $0.name, "title": $0.title as Any? ?? NSNull(), "items": $0.items, "copies": $0.copies]
                    as [String: Any]
            },
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    /// The string right-aligned in `width` columns (for the tables of this file).
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
