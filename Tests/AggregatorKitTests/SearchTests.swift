import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

@Suite struct SearchTests {
    /// Three portals: the flood story syndicated by two of them, a market story that mentions the flood once,
    /// and a football story that does not.
    func newsroom() throws -> UpkeepDatabase {
        let db = try UpkeepDatabase(feeds: ["serambinews", "tribunnews", "kompas"])
        try db.ingest(
            "serambinews",
            [
                UpkeepStories.item("s1", "Banjir Rendam 12 Desa di Aceh Utara", UpkeepStories.flood, html: true),
                UpkeepStories.item(
                    "s2", "Harga Cabai Merah Naik Dua Kali Lipat",
                    UpkeepStories.market + " Banjir di hulu ikut memutus jalan."),
            ])
        try db.ingest(
            "tribunnews",
            [
                UpkeepStories.item(
                    "t1", "Banjir Rendam Belasan Desa di Aceh Utara, Ribuan Warga Mengungsi", UpkeepStories.flood)
            ])
        try db.ingest("kompas", [UpkeepStories.item("k1", "Timnas Menang Tipis atas Vietnam", UpkeepStories.football)])
        return db
    }

    @Test func groupsCopiesOfOneStoryAndRanksTitleMatchesFirst() throws {
        let db = try newsroom()
        let flood = try #require(try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 's1'"))
        // Precondition: the dedup stage put both copies in one cluster.
        #expect(try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 't1'") == flood)

        let results = try db.store.search(SearchQuery(text: "banjir"))
        #expect(results.count == 2)
        #expect(results.first?.clusterID == flood)
        #expect(results.first?.hits.count == 2)
        #expect(Set(results.first?.feeds ?? []) == ["serambinews", "tribunnews"])
        #expect(results.first?.hits.first?.highlightedTitle.contains("[Banjir]") == true)
        // The market story only mentions the flood in its text: it comes second, with a snippet around the word.
        #expect(results.last?.hits.first?.item.feed == "serambinews")
        #expect(results.last?.hits.first?.snippet.contains("[Banjir]") == true)
        #expect(results.map(\.score) == results.map(\.score).sorted())
    }

    @Test func searchesThePlainTextOfHTMLContentNotItsTags() throws {
        let db = try newsroom()
        // "perahu" is only in the body; the serambinews copy stores it as HTML in <p>.
        let results = try db.store.search(SearchQuery(text: "perahu karet"))
        #expect(results.count == 1)
        #expect(results.first?.hits.count == 2)
        #expect(try db.store.search(SearchQuery(text: "p")).isEmpty)
        let body = try #require(
            try db.store.db.query("SELECT body FROM items_fts WHERE title LIKE 'Banjir Rendam 12%'").first)
        #expect(!body.text(0).contains("<p>"))
    }

    @Test func filtersByFeedAndTime() throws {
        let db = try newsroom()
        var query = SearchQuery(text: "banjir")
        query.feeds = ["tribunnews"]
        let tribun = try db.store.search(query)
        #expect(tribun.count == 1)
        #expect(tribun.first?.hits.map(\.item.feed) == ["tribunnews"])
        query.feeds = nil
        query.since = Date().addingTimeInterval(3600)
        #expect(try db.store.search(query).isEmpty)
    }

    @Test func keepsTheIndexInStepWithEditsAndDeletes() throws {
        let db = try newsroom()
        // An edited item (same key, new text) is found by its new words only.
        try db.ingest(
            "kompas",
            [
                UpkeepStories.item(
                    "k1", "Timnas Menang Tipis atas Vietnam", UpkeepStories.football + " Kiper tampil gemilang.")
            ])
        #expect(try db.store.search(SearchQuery(text: "gemilang")).count == 1)
        try db.store.db.run("DELETE FROM items WHERE item_key = 'k1'")
        #expect(try db.store.search(SearchQuery(text: "gemilang")).isEmpty)
        #expect(try db.count("SELECT count(*) FROM items_fts") == db.count("SELECT count(*) FROM items"))
    }

    @Test(arguments: [
        ("banjir aceh", "\"banjir\" \"aceh\""),
        ("\"aceh utara\" banjir", "\"aceh utara\" \"banjir\""),
        ("mengungsi*", "\"mengungsi\"*"),
        ("cabai OR timnas", "\"cabai\" OR \"timnas\""),
        ("covid-19: a.b", "\"covid-19:\" \"a.b\""),
        ("OR banjir OR", "\"banjir\""),
    ])
    func quotesWhatUsersTypeSoFTS5NeverSeesASyntaxError(input: String, expected: String) throws {
        #expect(try Store.ftsQuery(input) == expected)
    }

    @Test func acceptsPunctuationAndOperatorsInQueries() throws {
        let db = try newsroom()
        #expect(try db.store.search(SearchQuery(text: "cabai OR timnas")).count == 2)
        #expect(try db.store.search(SearchQuery(text: "mengung*")).count == 1)
        #expect(try db.store.search(SearchQuery(text: "\"aceh utara\"")).count == 1)
        #expect(try db.store.search(SearchQuery(text: "1-0 (vietnam)")).count == 1)
        #expect(throws: StoreError.self) { try db.store.search(SearchQuery(text: "  \"\" ")) }
    }

    @Test func leavesIndexingToTheFirstSearchAfterItemsAreStored() throws {
        let db = try newsroom()
        // Storing only notes the new items; the index itself is untouched until someone searches.
        #expect(try db.store.searchIndexPending() == db.count("SELECT count(*) FROM items"))
        #expect(try db.count("SELECT count(*) FROM items_fts") == 0)
        #expect(try db.store.search(SearchQuery(text: "banjir")).count == 2)
        #expect(try db.store.searchIndexPending() == 0)
        #expect(try db.count("SELECT count(*) FROM items_fts") == db.count("SELECT count(*) FROM items"))
        // Items stored later are found by the next search; nothing is indexed twice.
        try db.ingest("kompas", [UpkeepStories.item("k9", "Gempa Guncang Simeulue", "Gempa bermagnitudo lima mengguncang Simeulue pagi tadi tanpa menimbulkan kerusakan berarti menurut BPBD setempat.")])
        #expect(try db.store.searchIndexPending() == 1)
        #expect(try db.store.search(SearchQuery(text: "simeulue")).count == 1)
        #expect(try db.count("SELECT count(*) FROM items_fts") == db.count("SELECT count(*) FROM items"))
    }

    @Test func indexesInBatchesWithoutLosingAnItem() throws {
        let db = try newsroom()
        let pending = try db.store.searchIndexPending()
        #expect(try db.store.updateSearchIndex(batchSize: 2) == pending)
        #expect(try db.store.searchIndexPending() == 0)
        #expect(try db.store.updateSearchIndex(batchSize: 2) == 0)
        #expect(try db.count("SELECT count(*) FROM items_fts") == Int64(pending))
    }

    @Test func migrationToOnDemandIndexingKeepsTheIndexAndEveryItemsKeys() throws {
        // A database as schema 3 left it: search triggers indexing inside the ingest, band keys with an item index.
        let path = try oldSchemaDatabase(schema: 3) { old in
            try old.execute(
                """
                INSERT INTO feeds (id, name, url) VALUES (1, 'serambinews', 'https://serambinews.example/rss');
                INSERT INTO clusters (id, headline, first_seen, last_seen, updated) VALUES (1, 'Banjir', 0, 0, 0);
                """)
            try old.run(
                """
                INSERT INTO items (id, feed_id, item_key, title, summary, content, item_time, first_stored, content_hash, cluster_id)
                VALUES (1, 1, 'a', 'Banjir Rendam 12 Desa', NULL, ?, 1760000000, 0, 0, 1),
                    (2, 1, 'b', 'Harga Cabai', ?, NULL, -100, 0, 0, 1)
                """, "<p>\(UpkeepStories.flood)</p>", UpkeepStories.market)
            try old.execute("INSERT INTO band_keys (key, item_id) VALUES (11, 1), (12, 1), (-13, 2)")
            #expect(try old.scalarInt("SELECT count(*) FROM items_fts") == 2)  // the old triggers indexed them
        }
        let upgraded = try Store(path: path)
        // Migrations 6 and 8: each row in the day of its item's time (1,760,000,000 s is on day 20,370; -100 s on
        // day -1).
        #expect(
            try upgraded.db.query("SELECT period, key, item_id FROM band_keys ORDER BY key").map {
                [$0.int(0), $0.int(1), $0.int(2)]
            } == [[-1, -13, 2], [20_370, 11, 1], [20_370, 12, 1]])
        #expect(try upgraded.db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'band_keys_item'") == 0)
        #expect(try upgraded.searchIndexPending() == 0)
        #expect(try upgraded.search(SearchQuery(text: "perahu")).first?.hits.first?.item.title == "Banjir Rendam 12 Desa")
        // From now on storing only notes the item.
        try upgraded.db.run(
            "INSERT INTO items (feed_id, item_key, title, item_time, first_stored, content_hash, cluster_id) VALUES (1, 'c', 'Gempa Simeulue', 0, 0, 0, 1)")
        #expect(try upgraded.searchIndexPending() == 1)
        #expect(try upgraded.db.scalarInt("SELECT count(*) FROM items_fts") == 2)
        #expect(try upgraded.search(SearchQuery(text: "simeulue")).count == 1)
    }

    @Test func migrationIndexesItemsStoredBeforeSearchExisted() throws {
        // A database as schema 1 left it: only the first migration applied, items written without any index.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("v1-\(UUID().uuidString).sqlite").path
        do {
            let old = try Database(path: path)
            let first = try #require(migrations.first)
            try old.execute(first.sql)
            try old.execute(
                """
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES (1, 'create feeds, items, clusters', 0);
                PRAGMA application_id = \(applicationID);
                INSERT INTO feeds (id, name, url) VALUES (1, 'serambinews', 'https://serambinews.example/rss');
                INSERT INTO clusters (id, headline, first_seen, last_seen, updated) VALUES (1, 'Banjir', 0, 0, 0);
                """)
            try old.run(
                """
                INSERT INTO items (feed_id, item_key, title, summary, content, item_time, first_stored, content_hash, cluster_id)
                VALUES (1, 'a', 'Banjir Rendam 12 Desa', NULL, ?, 0, 0, 0, 1), (1, 'b', 'Harga Cabai', ?, NULL, 0, 0, 0, 1)
                """, "<p>\(UpkeepStories.flood)</p>", UpkeepStories.market)
        }
        let upgraded = try Store(path: path)
        #expect(try upgraded.db.scalarInt("SELECT count(*) FROM items_fts") == 2)
        #expect(
            try upgraded.search(SearchQuery(text: "perahu")).first?.hits.first?.item.title == "Banjir Rendam 12 Desa")
        #expect(try upgraded.search(SearchQuery(text: "cabai")).first?.hits.count == 1)
    }
}
