import CSQLite
import Feeds
public import Foundation

/// What to search for and where.
public struct SearchQuery: Sendable {
    /// Words as a user types them: every word must match; `"a phrase"`, `prefix*` and `OR` work.
    public var text: String
    /// Only items published (or first seen) at or after this time.
    public var since: Date?
    /// Only items from these feeds (by name); nil for all.
    public var feeds: [String]?
    /// At most this many clusters.
    public var limit = 20
    /// Marks put around matched words in titles and snippets.
    public var highlight = (open: "[", close: "]")

    public init(text: String) { self.text = text }
}

/// One matching item with its highlighted title and a snippet of its text around the match.
public struct SearchHit: Sendable {
    public var item: StoredItem
    /// bm25 score; lower is better (SQLite's convention).
    public var score: Double
    public var highlightedTitle: String
    public var snippet: String
}

/// One story (cluster) that matched, with its matching members best first.
public struct SearchResult: Sendable {
    public var clusterID: Int64
    public var headline: String
    /// Members in the cluster, matching or not.
    public var size: Int
    /// Distinct portals carrying the story.
    public var feeds: [String]
    public var score: Double
    public var hits: [SearchHit]
}

extension Store {
    /// bm25 column weights: a word in the title counts more than one in the body.
    static let bm25Weights = "4.0, 1.0"

    /// Full-text search over titles and text, ranked with bm25 and grouped by story, so one story appears once.
    /// - Throws: `StoreError` for an empty query or one FTS5 cannot read.
    public func search(_ query: SearchQuery) throws -> [SearchResult] {
        let match = try Self.ftsQuery(query.text)
        try updateSearchIndex()
        var conditions = ["items_fts MATCH ?"]
        var arguments: [any SQLBindable] = [match]
        if let since = query.since {
            conditions.append("i.item_time >= ?")
            arguments.append(Int64(since.timeIntervalSince1970))
        }
        if let feeds = query.feeds {
            let marks = Array(repeating: "?", count: max(feeds.count, 1)).joined(separator: ", ")
            conditions.append("f.name IN (\(marks))")
            arguments.append(contentsOf: feeds.isEmpty ? [SQLValue.null] : feeds.map { $0 as any SQLBindable })
        }
        let filter = conditions.joined(separator: " AND ")
        var clusters: [(id: Int64, score: Double)] = []
        try db.forEach(
            """
            WITH hits AS MATERIALIZED (
                SELECT i.cluster_id AS cluster_id, bm25(items_fts, \(Self.bm25Weights)) AS score
                FROM items_fts JOIN items i ON i.id = items_fts.rowid JOIN feeds f ON f.id = i.feed_id
                WHERE \(filter))
            SELECT cluster_id, min(score) AS best FROM hits GROUP BY cluster_id ORDER BY best, cluster_id LIMIT ?
            """, arguments + [max(1, query.limit)]
        ) { statement in
            let row = statement.row()
            clusters.append((row.int(0), row.double(1)))
        }

        var results: [SearchResult] = []
        for (clusterID, score) in clusters {
            guard let cluster = try cluster(id: clusterID) else { continue }
            let members = Dictionary(cluster.items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var hits: [SearchHit] = []
            try db.forEach(
                """
                SELECT items_fts.rowid, bm25(items_fts, \(Self.bm25Weights)) AS score,
                    highlight(items_fts, 0, ?, ?), snippet(items_fts, 1, ?, ?, '…', 20)
                FROM items_fts JOIN items i ON i.id = items_fts.rowid JOIN feeds f ON f.id = i.feed_id
                WHERE \(filter) AND i.cluster_id = ? ORDER BY score, i.id
                """,
                [query.highlight.open, query.highlight.close, query.highlight.open, query.highlight.close] + arguments
                    + [clusterID]
            ) { statement in
                let row = statement.row()
                guard let item = members[row.int(0)] else { return }
                hits.append(
                    SearchHit(item: item, score: row.double(1), highlightedTitle: row.text(2), snippet: row.text(3)))
            }
            results.append(
                SearchResult(
                    clusterID: clusterID, headline: cluster.headline, size: cluster.items.count, feeds: cluster.feeds,
                    score: score, hits: hits))
        }
        return results
    }

    /// Turns what a user typed into an FTS5 query that cannot be a syntax error: each word is quoted (so `-`,
    /// `:` or `.` in it are literal), `"quoted phrases"` stay phrases, a trailing `*` keeps a prefix search and
    /// an uppercase `OR` between two words stays an operator. Words are ANDed.
    static func ftsQuery(_ text: String) throws(StoreError) -> String {
        var terms: [String] = []
        var current = ""
        var inQuotes = false
        var quoted = false
        func flush() {
            defer {
                current = ""
                quoted = false
            }
            if quoted {
                let phrase = current.trimmingCharacters(in: .whitespaces)
                if !phrase.isEmpty { terms.append("\"" + phrase.replacingOccurrences(of: "\"", with: "\"\"") + "\"") }
                return
            }
            guard !current.isEmpty else { return }
            if current == "OR" {
                if let last = terms.last, last != "OR" { terms.append("OR") }
                return
            }
            var word = current
            let prefix = word.hasSuffix("*")
            while word.hasSuffix("*") { word.removeLast() }
            guard !word.isEmpty else { return }
            terms.append("\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : ""))
        }
        for character in text {
            if character == "\"" {
                if inQuotes {
                    flush()
                    inQuotes = false
                } else {
                    flush()
                    inQuotes = true
                    quoted = true
                }
            } else if character.isWhitespace && !inQuotes {
                flush()
            } else {
                current.append(character)
            }
        }
        flush()
        while terms.last == "OR" { terms.removeLast() }
        guard !terms.isEmpty else {
            throw StoreError(code: 0, message: "nothing to search for", context: "search \"\(text)\"")
        }
        return terms.joined(separator: " ")
    }

    // MARK: keeping the index up to date

    /// Items stored or edited since the search index was last brought up to date.
    public func searchIndexPending() throws -> Int {
        Int(
            try db.scalarInt(
                """
                SELECT (SELECT count(*) FROM search_pending) + (SELECT count(*) FROM items i
                    WHERE i.id > (SELECT coalesce(max(rowid), 0) FROM items_fts)
                    AND NOT EXISTS (SELECT 1 FROM search_pending p WHERE p.item_id = i.id))
                """) ?? 0)
    }

    /// Indexes every item stored or edited since the last call (`fetch` leaves that to the first search after it:
    /// indexing costs more than storing), `batchSize` items per transaction so a running `fetch` is never held up
    /// for long.
    /// - Returns: the number of items indexed.
    @discardableResult
    public func updateSearchIndex(batchSize: Int = 1_000) throws -> Int {
        var total = 0
        // Items stored without a note (not through `commitFetch`) are newer than everything indexed.
        try db.transaction {
            try db.run(
                """
                INSERT OR IGNORE INTO search_pending (item_id)
                SELECT id FROM items WHERE id > (SELECT coalesce(max(rowid), 0) FROM items_fts)
                """)
        }
        while true {
            let done: Int = try db.transaction {
                var rows: [(id: Int64, title: String, summary: String?, content: String?)] = []
                try db.forEach(
                    """
                    SELECT p.item_id, i.title, i.summary, i.content FROM search_pending p JOIN items i ON i.id = p.item_id
                    ORDER BY p.item_id LIMIT ?
                    """, [max(1, batchSize)]
                ) { statement in
                    let row = statement.row()
                    rows.append((row.int(0), row.text(1), row.textOrNil(2), row.textOrNil(3)))
                }
                guard !rows.isEmpty else {
                    try db.run("DELETE FROM search_pending")  // only rows whose item is gone could be left
                    return 0
                }
                for row in rows {
                    // An edited item replaces its entry; for a new one the delete finds nothing.
                    try db.run("DELETE FROM items_fts WHERE rowid = ?", row.id)
                    try db.run(
                        "INSERT INTO items_fts (rowid, title, body) VALUES (?, ?, ?)", row.id, row.title,
                        Self.searchText(summary: row.summary, content: row.content))
                }
                try db.run(
                    "DELETE FROM search_pending WHERE item_id IN (SELECT value FROM json_each(?))",
                    Self.jsonArray(rows.map(\.id)))
                return rows.count
            }
            total += done
            if done < batchSize { return total }
        }
    }

    // MARK: the search-text function

    /// Registers `aggregator_search_text(summary, content)` on every connection this process opens
    /// (`sqlite3_auto_extension`), before the first one: the search-index triggers of migration 2 call it.
    /// A connection without it (the sqlite3 shell) can read everything but cannot insert or edit items.
    static func registerSearchFunction() {
        _ = Database.configured  // before sqlite3_auto_extension, which initializes the library
        _ = searchFunctionRegistered
    }

    private static let searchFunctionRegistered: Void = {
        let entry:
            @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, OpaquePointer?) ->
                Int32 = { db, _, _ in
                    sqlite3_create_function_v2(
                        db, "aggregator_search_text", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
                        { context, count, values in
                            guard count == 2, let values else {
                                sqlite3_result_null(context)
                                return
                            }
                            func text(_ index: Int) -> String? {
                                guard let value = values[index], let raw = sqlite3_value_text(value) else { return nil }
                                return String(cString: raw)
                            }
                            let body = Store.searchText(summary: text(0), content: text(1))
                            sqlite3_result_text(context, body, -1, csqlite_transient())
                        }, nil, nil, nil)
                }
        // sqlite3_auto_extension takes the entry point as `void (*)(void)`; SQLite calls it with its real type.
        sqlite3_auto_extension(unsafeBitCast(entry, to: (@convention(c) () -> Void).self))
    }()

    /// The indexed body of an item: the plain text of its content, else its summary.
    public static func searchText(summary: String?, content: String?) -> String {
        if let content, !content.isEmpty {
            let text = HTMLText.plainText(fromHTML: content)
            if !text.isEmpty { return text }
        }
        return summary ?? ""
    }
}
