import Foundation
import Dedup
import Store

/// The one writer of a fetch run: stores parsed feeds on a thread of its own, so SQLite's blocking calls never
/// hold a thread of Swift's cooperative pool and parsing goes on, on every core, while a batch is written.
///
/// Jobs are grouped into transactions: a transaction begins with the first job queued and takes the jobs as they
/// come, until it holds `maxBatchItems` items or is `commitInterval` old, or nothing more will come (each feed's
/// items and validators still commit together, never apart). The writer never waits for a batch to fill up (it
/// is the busiest thread of a cold fetch: an idle start only made it finish later). A commit writes every page it
/// dirtied, and the candidate index's pages are dirtied all over their part of the file (measured in C on SQLite
/// 3.40 with 100k items: 5.3 us per index row at 500 items per commit, 2.3 at 2,000, 1.2 at 10,000), but the last
/// commit and its checkpoint are what a run waits for at its end: half a second keeps them small (cold fetch, 8
/// alternated runs: median 4.65 s with 0.5 s, 4.90 s with 2 s). When a batch fails, it
/// is rolled back, the writer stops taking jobs and the run ends with that error (those feeds keep their old
/// validators and are fetched in full again next time).
///
/// Candidates are looked up on a third thread first (`CandidateReader`: its own connection, a read snapshot), in
/// submission order, so the writer only adds what was stored after that snapshot and applies the decisions:
/// lookups and verification run on the other core while the writer writes.
final class StoreWriter: @unchecked Sendable {
    /// One feed's write: `items` (with their snapshot lookups when there is a reader) and the time to store them at.
    typealias Job = (Store, [PreparedItem], Date, inout FetchReport) throws -> Void
    struct Entry {
        var items: [PreparedItem]
        var now: Date
        var count: Int
        var job: Job
    }

    private let condition = NSCondition()
    /// Submitted, waiting for the lookup thread (when there is one).
    private var incoming: [Entry] = []
    /// Looked up, waiting for the writer.
    private var queue: [Entry] = []
    /// Written, to be released by the thread that submits the next jobs (or calls `finish`), not by the writer.
    /// Their memory was allocated by the threads that parsed them, and glibc's `free` locks the malloc arena a
    /// block came from: freeing them here made the writer wait for the parse threads' arenas (cold fetch of 1,000
    /// feeds: 0.7 s of the writer thread asleep in `__lll_lock_wait_private`, under `_int_free`).
    private var written: [Entry] = []
    private var queuedItems = 0
    private var lookingUp = false
    private var closed = false
    private var running = true
    private var failure: (any Error)?
    private var report: FetchReport
    private let store: Store
    private let maxBatchItems: Int
    private let commitInterval: TimeInterval
    /// Copies the log into the database file off this thread (see `Checkpointer`).
    private let checkpointer: Checkpointer?

    /// - Parameter lookups: look candidates up on a thread of its own with these settings (nil: the writer looks
    ///   them up itself).
    init(
        store: Store, report: FetchReport, lookups: (deduplicator: Deduplicator, windowDays: Double)? = nil,
        maxBatchItems: Int = defaultMaxBatchItems, commitInterval: TimeInterval = 0.5
    ) {
        self.store = store
        self.commitInterval = commitInterval
        self.report = report
        self.maxBatchItems = maxBatchItems
        checkpointer = Checkpointer(store: store)
        store.deferKeyFilterSaves()
        if let lookups, let reader = try? CandidateReader(path: store.db.path, deduplicator: lookups.deduplicator, store: store) {
            store.enableSnapshotLookups()
            lookingUp = true
            let box = ReaderBox(reader)
            let thread = Thread { [self] in lookupLoop(box.reader, windowDays: lookups.windowDays) }
            thread.name = "aggregator.lookups"
            thread.stackSize = 8 << 20
            thread.start()
        }
        let thread = Thread { [self] in loop() }
        thread.name = "aggregator.writer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Hands the reader (made on the caller's thread, used only on the lookup thread) across.
    private final class ReaderBox: @unchecked Sendable {
        let reader: CandidateReader
        init(_ reader: CandidateReader) { self.reader = reader }
    }

    /// A commit rewrites every page it dirtied, and the index pages are spread over the current day's part of the
    /// b-tree: small commits cost more per item (measured at 100k stored items, weeks then: 154 us/item with
    /// commits of about 1,000 items, 90 with 5,000).
    static let defaultMaxBatchItems = 20_000

    /// Queues one feed's write (`items`: what it stores, looked up first when there is a reader).
    /// - Throws: the error of an earlier batch, which ended the writer.
    /// Also releases the jobs written since the last call, on the calling thread (see `written`).
    func submit(items: [PreparedItem], now: Date = Date(), _ job: @escaping Job) throws {
        var done: [Entry] = []
        do {
            condition.lock()
            defer { condition.unlock() }
            if let failure { throw failure }
            let entry = Entry(items: items, now: now, count: max(1, items.count), job: job)
            if lookingUp { incoming.append(entry) } else { queue.append(entry) }
            queuedItems += entry.count
            swap(&done, &written)
            condition.broadcast()
        }
        done.removeAll()  // after unlocking: the writer may be waiting for the lock
    }

    /// The lookup thread: takes submitted jobs in order, attaches each item's snapshot candidates, passes them on.
    /// A failed lookup only leaves the items without one (the writer then looks them up itself).
    private func lookupLoop(_ reader: CandidateReader, windowDays: Double) {
        while true {
            condition.lock()
            while incoming.isEmpty && !closed { condition.wait() }
            if incoming.isEmpty {
                lookingUp = false
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch = incoming
            incoming.removeAll()
            let stop = failure != nil
            condition.unlock()
            if stop {
                condition.lock()
                lookingUp = false
                condition.broadcast()
                condition.unlock()
                return
            }
            // Each job goes to the writer as soon as it is looked up, not with the rest of the batch: the writer
            // starts on it at once (the end of a run waits for the last jobs through both threads).
            for index in batch.indices {
                if !batch[index].items.isEmpty {
                    do {
                        try reader.lookUp(&batch[index].items, now: batch[index].now, windowDays: windowDays)
                    } catch {
                        for i in batch[index].items.indices { batch[index].items[i].dropLookup() }
                    }
                }
                condition.lock()
                queue.append(batch[index])
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// Items queued and not yet written (the producer waits while this is large: parsed feeds hold memory).
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedItems
    }

    /// Writes everything queued, stops the thread and hands back the report. Waits without blocking the pool.
    func finish() async throws -> FetchReport {
        close()
        while isRunning { try? await Task.sleep(nanoseconds: 2_000_000) }
        var done = takeWritten()
        done.removeAll()
        return try result()
    }

    private func takeWritten() -> [Entry] {
        condition.lock()
        defer { condition.unlock() }
        var done: [Entry] = []
        swap(&done, &written)
        return done
    }

    private func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    private func result() throws -> FetchReport {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return report
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !(closed && !lookingUp) { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                // Derived data: when this fails, the days it could not save are built from their rows next time.
                try? store.saveDeferredKeyFilters()
                checkpointer?.committed()
                store.releaseClusterCache()
                checkpointer?.stop()
                condition.lock()
                running = false
                condition.unlock()
                return
            }
            condition.unlock()

            var batchReport = report
            let began = Date()
            do {
                try store.db.batch {
                    var written = 0
                    while var jobs = next(after: written, began: began) {
                        jobs.reverse()
                        // Each job moves into `self.written` once written: this thread keeps no reference that
                        // could be the last one (see `written`).
                        while let entry = jobs.popLast() {
                            try entry.job(store, entry.items, entry.now, &batchReport)
                            written += entry.count
                            condition.lock()
                            queuedItems -= entry.count
                            self.written.append(consume entry)
                            condition.unlock()
                        }
                    }
                }
                checkpointer?.committed()
                condition.lock()
                report = batchReport
                condition.unlock()
            } catch {
                try? store.saveDeferredKeyFilters()  // after the rollback: nothing to save, saves at commits again
                checkpointer?.stop()
                condition.lock()
                failure = error
                queue.removeAll()
                incoming.removeAll()
                queuedItems = 0
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// The jobs to run next in the open transaction (`written` items so far, begun at `began`): what is queued
    /// (up to `maxBatchItems` in all), waiting for more while the transaction is young; nil when it should commit.
    private func next(after written: Int, began: Date) -> [Entry]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = began.addingTimeInterval(commitInterval)
        while true {
            if written >= maxBatchItems || Date() >= deadline { return nil }
            if !queue.isEmpty {
                var take = 0
                var items = written
                while take < queue.count && (take == 0 || items + queue[take].count <= maxBatchItems) {
                    items += queue[take].count
                    take += 1
                }
                let jobs = Array(queue.prefix(take))
                queue.removeFirst(take)
                return jobs
            }
            if (closed && !lookingUp) || failure != nil { return nil }
            _ = condition.wait(until: deadline)
        }
    }
}
