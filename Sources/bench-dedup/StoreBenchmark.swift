import Dedup
import Feeds
import Foundation
import Store

/// (c) with SQLite, as `fetch` runs it on this machine's cores: items are prepared (normalize, shingles,
/// signature, keys, line hashes, encoded columns) and their candidates looked up and judged in a read snapshot
/// (`CandidateReader`) on one thread while the writer stores the previous batch
/// through `Store.commitFetch` (candidate lookups, verification, clustering, every write: item, fingerprint, index
/// keys, feed line counts, clusters), one transaction per batch of feeds as fetch's writer makes them.
enum StoreBenchmark {
    static let feedCount = 40
    /// Items per transaction at most: what fetch's writer takes when it is the bottleneck (`StoreWriter`).
    static let batchItems = Int(ProcessInfo.processInfo.environment["BENCH_BATCH"] ?? "") ?? 20_000
    /// Candidates looked up and judged on the preparing thread in a read snapshot (`CandidateReader`), as fetch
    /// does; `BENCH_SNAPSHOT=0` leaves all lookups to the writer, for comparison.
    static let snapshotLookups = ProcessInfo.processInfo.environment["BENCH_SNAPSHOT"] != "0"

    struct Result {
        var wallSeconds: Double
        var cpuSeconds: Double
        var writerCPUSeconds: Double
    }

    /// A fresh database at `path`.
    static func open(_ path: String) throws -> (Store, [String: FeedRecord]) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try Store(path: path)
        store.prepareForBulkWrites()  // as fetch's writer does
        let records = try store.syncFeeds((0..<feedCount).map { ("f\($0)", "file:///bench/f\($0).xml", nil) })
        return (store, records)
    }

    /// Items per prepared chunk.
    static let chunkItems = 1_000
    /// Fetch's writer starts a transaction once this many items wait (`StoreWriter.defaultMinBatchItems`).
    static let minBatchItems = 5_000

    /// Stores `docs` (numbered from `first`) through the pipeline, as fetch's writer takes them: the preparing
    /// thread hands over chunks of `chunkItems`; the writer stores whatever chunks are ready (at least
    /// `minBatchItems`, at most `batchItems` items) in one transaction. Returns wall, process CPU and writer CPU time.
    static func run(
        _ docs: ArraySlice<NewsGenerator.Item>, first: Int, store: Store, records: [String: FeedRecord],
        dedup: Deduplicator
    ) throws -> Result {
        let chunks = stride(from: docs.startIndex, to: docs.endIndex, by: chunkItems).map {
            $0..<min(docs.endIndex, $0 + chunkItems)
        }
        let slots = chunks.map { _ in Slot() }
        // The preparer runs at most a transaction and a half ahead (fetch pauses parsing at 30,000 waiting items).
        let lookahead = DispatchSemaphore(value: max(2, batchItems * 3 / 2 / chunkItems))
        let wall0 = Date()
        let cpu0 = cpuSeconds()
        let items = Box(docs)
        let path = store.db.path
        if snapshotLookups { store.enableSnapshotLookups() }
        let storeBox = Box(store)
        Thread.detachNewThread {
            let reader = snapshotLookups ? try? CandidateReader(path: path, deduplicator: dedup, store: storeBox.value) : nil
            for (k, range) in chunks.enumerated() {
                lookahead.wait()
                var perFeed = prepare(items.value[range], first: first + range.lowerBound - items.value.startIndex, dedup: dedup)
                if let reader {
                    let now = items.value[range.upperBound - 1].published
                    for feed in perFeed.indices {
                        try? reader.lookUp(&perFeed[feed], now: now, windowDays: Double(dedup.settings.windowDays))
                    }
                }
                slots[k].set(perFeed)
            }
        }
        var writer = 0.0
        var k = 0
        // As fetch's writer does: the log is copied into the file on another thread.
        let checkpointer = Checkpointer(store: store)
        defer { checkpointer?.stop() }
        while k < chunks.count {
            // At least `minBatchItems` (waiting for them), then whatever else is ready, up to `batchItems`.
            var taken: [(range: Range<Int>, perFeed: [[PreparedItem]])] = []
            while k < chunks.count && taken.count * chunkItems < minBatchItems {
                taken.append((chunks[k], slots[k].take()))
                k += 1
            }
            while k < chunks.count && (taken.count + 1) * chunkItems <= batchItems, let more = slots[k].tryTake() {
                taken.append((chunks[k], more))
                k += 1
            }
            let w0 = threadCPUSeconds()
            try store.db.batch {
                for (range, perFeed) in taken {
                    for feed in 0..<feedCount where !perFeed[feed].isEmpty {
                        guard let record = records["f\(feed)"] else { throw BenchError("feed f\(feed) not synced") }
                        _ = try store.commitFetch(
                            feedID: record.id, feedName: "f\(feed)",
                            update: FetchStateUpdate(attemptedAt: docs[range.upperBound - 1].published, succeeded: true),
                            items: perFeed[feed], deduplicator: dedup, windowDays: Double(dedup.settings.windowDays))
                    }
                }
            }
            writer += threadCPUSeconds() - w0
            checkpointer?.committed()
            for _ in taken { lookahead.signal() }
        }
        return Result(wallSeconds: Date().timeIntervalSince(wall0), cpuSeconds: cpuSeconds() - cpu0, writerCPUSeconds: writer)
    }

    static func prepare(_ docs: ArraySlice<NewsGenerator.Item>, first: Int, dedup: Deduplicator) -> [[PreparedItem]] {
        var perFeed = [[PreparedItem]](repeating: [], count: feedCount)
        for (offset, d) in docs.enumerated() {
            let n = first + offset
            let feed = n % feedCount
            let link = "https://portal\(feed).example/news/\(n)"
            let item = Item(id: link, title: d.title, link: link, content: d.text, published: d.published, key: link)
            let doc = DedupDocument(
                feed: "f\(feed)", title: d.title, text: d.text, canonicalURL: link, published: d.published)
            perFeed[feed].append(
                PreparedItem(
                    item: item, document: doc, fingerprint: dedup.fingerprint(doc, boilerplate: nil),
                    contentHash: Int64(n), lineHashes: dedup.lineHashes(of: d.text)))
        }
        return perFeed
    }

    /// Cost per new item as the stored history grows, through SQLite: items stream through the pipeline in
    /// 10,000-item stretches (generated outside the timing) into one database, `itemsPerDay` of them a day.
    ///
    /// The candidate window (7 days) fills up first: at 20,000 items a day it holds 140,000 items, so from 10k to
    /// 140k stored items a new item meets more candidates (items of Zipf-distributed words sharing an index key by
    /// chance, up to `keyFanout` per key) whatever the index does. With fewer items a day the window is full
    /// from the first mark on, and only the history grows.
    static func growth(_ total: Int, itemsPerDay: Double, dedup: Deduplicator, path: String) throws {
        var generator = NewsGenerator(seed: 99, itemsPerDay: itemsPerDay)
        emit("    \(Int(itemsPerDay)) items a day: the \(dedup.settings.windowDays)-day window holds up to \(Int(itemsPerDay) * dedup.settings.windowDays) items")
        let (store, records) = try open(path)
        let stretch = 10_000
        let marks: Set<Int> = [10_000, 100_000, 300_000, 600_000, 1_000_000, total]
        var n = 0
        var copyOf: [Int: Int] = [:]
        while n < total {
            var batch: [NewsGenerator.Item] = []
            batch.reserveCapacity(stretch)
            for k in 0..<stretch {
                let item = generator.next()
                if let source = item.copyOf { copyOf[n + k] = source }
                batch.append(item)
            }
            let result = try run(batch[...], first: n, store: store, records: records, dedup: dedup)
            n += stretch
            if marks.contains(n) {
                emit(
                    String(
                        format:
                            "    history %7d items: last 10k at %.0f items/s wall (%.1f us/item), CPU %.1f us/item (writer %.1f), peak memory %.0f MB, database %.0f MB",
                        n, Double(stretch) / result.wallSeconds, result.wallSeconds / Double(stretch) * 1e6,
                        result.cpuSeconds / Double(stretch) * 1e6, result.writerCPUSeconds / Double(stretch) * 1e6,
                        peakMemoryMB(), Double(store.fileBytes()) / 1e6))
            }
        }
        // Quality kept all the way: every planted copy in its original's cluster.
        var clusterOf: [Int: Int64] = [:]
        try store.db.forEach("SELECT item_key, cluster_id FROM items", []) { statement in
            let row = statement.row()
            if let k = Int(row.text(0).split(separator: "/").last ?? "") { clusterOf[k] = row.int(1) }
        }
        let found = copyOf.filter { clusterOf[$0.key] != nil && clusterOf[$0.key] == clusterOf[$0.value] }.count
        emit("    planted copies found over the whole growth: \(found)/\(copyOf.count)")
    }

    /// One batch's prepared items, handed from the preparing thread to the writer.
    final class Slot: @unchecked Sendable {
        private let ready = DispatchSemaphore(value: 0)
        private var value: [[PreparedItem]] = []
        func set(_ v: [[PreparedItem]]) {
            value = v
            ready.signal()
        }
        func take() -> [[PreparedItem]] {
            ready.wait()
            defer { value = [] }
            return value
        }
        /// The value if it is ready now.
        func tryTake() -> [[PreparedItem]]? {
            guard ready.wait(timeout: .now()) == .success else { return nil }
            defer { value = [] }
            return value
        }
    }

    final class Box<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}

/// CPU time of the calling thread.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
