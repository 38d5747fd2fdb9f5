import Dedup
import Feeds
import Foundation
import Store

enum StoreBenchmark {
    /// (c) with SQLite: fingerprints, line hashes, the Store's candidate lookups, `decide`, and every
    /// write (item, fingerprint blob, index keys, feed line counts, cluster rows, search index), committed
    /// per feed batch as `fetch` does. Returns CPU seconds.
    static func run(_ docs: [NewsGenerator.Item], dedup: Deduplicator, path: String) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try Store(path: path)
        let feedCount = 40
        let records = try store.syncFeeds((0..<feedCount).map { ("f\($0)", "file:///bench/f\($0).xml", nil) })
        let t0 = cpuSeconds()
        var writerSeconds = 0.0
        let batch = 2_000
        var start = 0
        while start < docs.count {
            let end = min(docs.count, start + batch)
            var perFeed = [[PreparedItem]](repeating: [], count: feedCount)
            for n in start..<end {
                let d = docs[n]
                let feed = n % feedCount
                let link = "https://portal\(feed).example/news/\(n)"
                let item = Item(
                    id: link, title: d.title, link: link, content: d.text, published: d.published, key: link)
                let doc = DedupDocument(
                    feed: "f\(feed)", title: d.title, text: d.text, canonicalURL: link, published: d.published)
                perFeed[feed].append(
                    PreparedItem(
                        item: item, document: doc, fingerprint: dedup.fingerprint(doc, boilerplate: nil),
                        contentHash: Int64(n), lineHashes: dedup.lineHashes(of: d.text)))
            }
            let w0 = cpuSeconds()
            defer { writerSeconds += cpuSeconds() - w0 }
            // One transaction per batch of feeds, each feed's commit inside it, as `fetch`'s writer does.
            try store.db.batch {
                for feed in 0..<feedCount where !perFeed[feed].isEmpty {
                    guard let record = records["f\(feed)"] else { throw BenchError("feed f\(feed) not synced") }
                    _ = try store.commitFetch(
                        feedID: record.id, feedName: "f\(feed)",
                        update: FetchStateUpdate(attemptedAt: docs[end - 1].published, succeeded: true),
                        items: perFeed[feed], deduplicator: dedup, windowDays: Double(dedup.settings.windowDays))
                }
            }
            start = end
        }
        let total = cpuSeconds() - t0
        print(String(format: "    of which the writer (SQLite transactions): %.2f s CPU, %.0f us/item", writerSeconds, writerSeconds / Double(docs.count) * 1e6))
        return total
    }
}
