import Feeds
import Foundation
import Store
import Testing

@testable import AggregatorKit

@Suite struct PruneTests {
    let day = 86_400.0

    func config(_ text: String) throws -> Config {
        try Config.parse(text, path: "/tmp/feeds.toml")
    }

    /// Old and new items in two portals: an old story both carried, an old story only one carried (published
    /// recently by its own claim), and new stories, one of them joining the old shared cluster.
    func history() throws -> UpkeepDatabase {
        let db = try UpkeepDatabase(feeds: ["serambinews", "tribunnews"])
        let longAgo = Date().addingTimeInterval(-200 * day)
        try db.ingest(
            "serambinews",
            [
                UpkeepStories.item(
                    "s-flood", "Banjir Rendam 12 Desa di Aceh Utara", UpkeepStories.flood, published: longAgo),
                // Claims to be fresh, but we stored it 200 days ago: storage time decides.
                UpkeepStories.item("s-market", "Harga Cabai Merah Naik", UpkeepStories.market, published: Date()),
            ], storedAt: longAgo)
        try db.ingest(
            "tribunnews",
            [
                UpkeepStories.item(
                    "t-flood", "Banjir Rendam Belasan Desa di Aceh Utara", UpkeepStories.flood, published: longAgo)
            ], storedAt: longAgo.addingTimeInterval(3600))
        try db.ingest(
            "tribunnews",
            [
                // Claims to be ancient, stored today: it stays.
                UpkeepStories.item(
                    "t-ball", "Timnas Menang Tipis", UpkeepStories.football,
                    published: longAgo.addingTimeInterval(-400 * day))
            ])
        return db
    }

    /// No foreign key points nowhere, and every remaining item keeps its fingerprint and band keys.
    func expectNoOrphans(_ db: UpkeepDatabase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // The search index is brought up to date on demand; entries of pruned items must be gone either way.
        try db.store.updateSearchIndex()
        #expect(try db.store.db.query("PRAGMA foreign_key_check").isEmpty, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM fingerprints p WHERE p.item_id = i.id)")
                == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM items i WHERE (SELECT count(*) FROM band_keys b WHERE b.item_id = i.id) = 0")
                == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM band_keys b WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = b.item_id)")
                == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM fingerprints p WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = p.item_id)")
                == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM clusters c WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.cluster_id = c.id)")
                == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count(
                "SELECT count(*) FROM clusters c WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = c.representative_item_id)"
            ) == 0, sourceLocation: sourceLocation)
        #expect(
            try db.count("SELECT count(*) FROM items_fts") == db.count("SELECT count(*) FROM items"),
            sourceLocation: sourceLocation)
        // A week's stored Bloom filter goes with the week's last index row.
        #expect(
            try db.count(
                "SELECT count(*) FROM band_filters f WHERE NOT EXISTS (SELECT 1 FROM band_keys b WHERE b.period = f.period)")
                == 0, sourceLocation: sourceLocation)
    }

    @Test func retentionIsOffUnlessConfigured() throws {
        let db = try history()
        let plain = try config("[[feeds]]\nname = \"serambinews\"\nurl = \"https://serambinews.example/rss\"\n")
        #expect(!Retention.isConfigured(plain))
        #expect(Retention.cutoffs(config: plain, feeds: try db.store.allFeeds(), now: Date()).isEmpty)
        let report = try Retention.prune(store: db.store, config: plain)
        #expect(report.counts.items == 0)
        #expect(try db.count("SELECT count(*) FROM items") == 4)
    }

    @Test func prunesByStorageTimeAndLeavesNoOrphans() throws {
        let db = try history()
        let shared = try #require(try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 's-flood'"))
        #expect(try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 't-flood'") == shared)
        let cfg = try config(
            """
            [settings]
            keep = "180d"
            [[feeds]]
            name = "serambinews"
            url = "https://serambinews.example/rss"
            [[feeds]]
            name = "tribunnews"
            url = "https://tribunnews.example/rss"
            """)
        // The weeks of the items stored 200 days ago got their filters then (they were recent).
        #expect(try db.count("SELECT count(*) FROM band_filters") >= 1)
        let dry = try Retention.prune(store: db.store, config: cfg, dryRun: true)
        #expect(dry.counts.items == 3)
        #expect(dry.counts.clustersRemoved == 2)
        #expect(try db.count("SELECT count(*) FROM items") == 4)

        let report = try Retention.prune(store: db.store, config: cfg, batchSize: 2)
        #expect(report.counts.items == 3)
        #expect(report.counts.clustersRemoved == 2)
        #expect(report.counts.batches == 2)
        #expect(report.counts == dry.counts.with(batches: 2))
        #expect(report.counts.bandKeys > 0 && report.counts.fingerprints == 3)
        #expect(try db.store.db.query("SELECT item_key FROM items").map { $0.text(0) } == ["t-ball"])
        try expectNoOrphans(db)
        #expect(try db.store.search(SearchQuery(text: "banjir")).isEmpty)
    }

    @Test func perFeedKeepOverridesTheSetting() throws {
        let db = try history()
        let cfg = try config(
            """
            [settings]
            keep = "365d"
            [[feeds]]
            name = "serambinews"
            url = "https://serambinews.example/rss"
            [[feeds]]
            name = "tribunnews"
            url = "https://tribunnews.example/rss"
            keep = "30d"
            """)
        let dry = try Retention.prune(store: db.store, config: cfg, dryRun: true)
        #expect(dry.counts.items == 1 && dry.counts.clustersRemoved == 0 && dry.counts.clustersShrunk == 1)
        let report = try Retention.prune(store: db.store, config: cfg)
        #expect(report.counts == dry.counts.with(batches: 1))
        #expect(report.counts.items == 1)
        #expect(report.counts.clustersRemoved == 0)
        #expect(report.counts.clustersShrunk == 1)
        // The shared story lives on in serambinews, its headline and representative recomputed.
        let keys = try db.store.db.query("SELECT item_key FROM items ORDER BY item_key").map { $0.text(0) }
        #expect(keys == ["s-flood", "s-market", "t-ball"])
        try expectNoOrphans(db)
    }

    @Test func olderThanOverridesConfigAndDropsUnconfiguredFeedsOnceEmpty() throws {
        let db = try history()
        // tribunnews was removed from the config; its items stay until pruned.
        let cfg = try config("[[feeds]]\nname = \"serambinews\"\nurl = \"https://serambinews.example/rss\"\n")
        let report = try Retention.prune(store: db.store, config: cfg, olderThan: 100 * day)
        #expect(report.counts.items == 3)
        #expect(report.feedsRemoved.isEmpty)  // tribunnews still holds the football story
        let all = try Retention.prune(store: db.store, config: cfg, now: Date().addingTimeInterval(5), olderThan: 0)
        #expect(all.counts.items == 1)
        #expect(all.feedsRemoved == ["tribunnews"])
        #expect(try db.store.allFeeds().map(\.name) == ["serambinews"])
        try expectNoOrphans(db)
        #expect(try db.count("SELECT count(*) FROM clusters") == 0)
    }

    @Test func prunedFeedKeepsBoilerplateRatiosAndClustersAgain() throws {
        let db = try history()
        let feedID = try #require(db.feedIDs["serambinews"])
        let before = try db.store.lineStatistics(feedID: feedID)
        _ = try db.store.prune(cutoffs: [feedID: Date()])
        let after = try db.store.lineStatistics(feedID: feedID)
        #expect(before.items == 2 && after.items == 0)
        #expect(after.counts.isEmpty)
        // A new copy of the pruned story starts a fresh cluster with the surviving tribunnews copy.
        let published = Date().addingTimeInterval(-200 * day)
        try db.ingest(
            "serambinews",
            [UpkeepStories.item("s-flood-2", "Banjir Rendam 12 Desa", UpkeepStories.flood, published: published)])
        let a = try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 's-flood-2'")
        let b = try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE item_key = 't-flood'")
        #expect(a == b)
        try expectNoOrphans(db)
    }
}

extension PruneCounts {
    /// The same counts with another batch count (a dry run has none).
    func with(batches: Int) -> PruneCounts {
        var copy = self
        copy.batches = batches
        return copy
    }
}
