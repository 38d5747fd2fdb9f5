import Foundation
import Store
import Testing

@testable import AggregatorKit

/// `recluster` rebuilds clusters from stored items; pruned items do not come back.
@Suite struct ReclusterTests {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seeds/feeds.toml").path

    func seededDatabase(dedup: String = "") throws -> (Config, String) {
        var config = try Config.load(path: Self.seeds)
        if !dedup.isEmpty {
            config.dedup = try Config.parse("[dedup]\n" + dedup, path: "/tmp/dedup.toml").dedup
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (config, dir.appendingPathComponent("news.sqlite").path)
    }

    /// Cluster id → sorted member ids.
    func membership(_ path: String) throws -> [Int64: [Int64]] {
        let store = try Store(path: path)
        var result: [Int64: [Int64]] = [:]
        for row in try store.db.query("SELECT cluster_id, id FROM items ORDER BY id") {
            result[row.int(0), default: []].append(row.int(1))
        }
        return result
    }

    @Test func rebuildsTheSameClustersWithTheSameIDs() async throws {
        let (config, path) = try seededDatabase()
        _ = try await FetchRun.run(config: config, databasePath: path, options: FetchRunOptions())
        let before = try membership(path)
        #expect(before.values.contains { $0.count == 3 })
        let summary = try Recluster.run(config: config, databasePath: path, since: nil)
        #expect(summary.items == 13)
        #expect(try membership(path) == before)
        let store = try Store(path: path)
        #expect(try store.db.query("PRAGMA foreign_key_check").isEmpty)
    }

    @Test func followsAThresholdChangeAndBack() async throws {
        let (config, path) = try seededDatabase()
        _ = try await FetchRun.run(config: config, databasePath: path, options: FetchRunOptions())
        let before = try membership(path)
        // Demanding near-identical text and titles splits the syndicated copies apart ...
        var strict = config
        strict.dedup = try Config.parse(
            "[dedup]\nresemblance = 0.99\nmin_shingles = 100000\nlead_min_shingles = 100000\ntitle_text = 1.0\n",
            path: "/tmp/strict.toml"
        ).dedup
        let split = try Recluster.run(config: strict, databasePath: path, since: nil)
        #expect(split.multiPortalAfter < split.multiPortalBefore)
        #expect(try membership(path).count > before.count)
        // ... and the defaults bring back the same stories under their old ids.
        _ = try Recluster.run(config: config, databasePath: path, since: nil)
        #expect(try membership(path) == before)
        let store = try Store(path: path)
        #expect(try store.db.query("PRAGMA foreign_key_check").isEmpty)
        #expect(
            try store.db.scalarInt(
                "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM band_keys b WHERE b.item_id = i.id)") == 0)
    }

    @Test func prunedItemsStillListedByTheFeedDoNotComeBack() async throws {
        let (seedConfig, path) = try seededDatabase()
        var config = seedConfig
        _ = try await FetchRun.run(config: config, databasePath: path, options: FetchRunOptions())
        let store = try Store(path: path)
        let feeds = try store.allFeeds()
        let serambinews = try #require(feeds.first { $0.name == "serambinews" })
        let counts = try store.prune(cutoffs: [serambinews.id: Date().addingTimeInterval(60)])
        #expect(counts.items == 3)
        config.settings.keep = nil
        var options = FetchRunOptions()
        options.force = true
        let again = try await FetchRun.run(config: config, databasePath: path, options: options)
        #expect(again.newItems == 0)
        #expect(try store.db.scalarInt("SELECT count(*) FROM items WHERE feed_id = ?", serambinews.id) == 0)
    }
}
