import Foundation
import Store

/// The one writer of a fetch run: stores parsed feeds on a thread of its own, so SQLite's blocking calls never
/// hold a thread of Swift's cooperative pool and parsing goes on, on every core, while a batch is written.
///
/// Jobs are grouped into transactions: the writer takes what has queued up (at least `minBatchItems` items,
/// or whatever waited `maxWait`), at most `maxBatchItems`, and runs them in ONE transaction (each feed's items
/// and validators still commit together, never apart). Fewer, bigger commits matter: a commit writes every page
/// it dirtied, and the candidate index's pages are dirtied all over the file (measured in C on SQLite 3.40 with
/// 100k items: 5.3 us per index row at 500 items per commit, 2.3 at 2,000, 1.2 at 10,000). When a batch fails, it
/// is rolled back, the writer stops taking jobs and the run ends with that error (those feeds keep their old
/// validators and are fetched in full again next time).
final class StoreWriter: @unchecked Sendable {
    typealias Job = (Store, inout FetchReport) throws -> Void

    private let condition = NSCondition()
    private var queue: [(items: Int, since: Date, job: Job)] = []
    private var queuedItems = 0
    private var closed = false
    private var running = true
    private var failure: (any Error)?
    private var report: FetchReport
    private let store: Store
    private let minBatchItems: Int
    private let maxBatchItems: Int
    private let maxWait: TimeInterval

    init(store: Store, report: FetchReport, minBatchItems: Int = 1_000, maxBatchItems: Int = 20_000, maxWait: TimeInterval = 0.5) {
        self.store = store
        self.report = report
        self.minBatchItems = minBatchItems
        self.maxBatchItems = maxBatchItems
        self.maxWait = maxWait
        let thread = Thread { [self] in loop() }
        thread.name = "aggregator.writer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues one feed's write (`items`: how many items it stores, for batching and back-pressure).
    /// - Throws: the error of an earlier batch, which ended the writer.
    func submit(items: Int, _ job: @escaping Job) throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        queue.append((max(1, items), Date(), job))
        queuedItems += max(1, items)
        condition.broadcast()
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
        return try result()
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
            while true {
                if queue.isEmpty {
                    if closed { break }
                    condition.wait()
                    continue
                }
                let waited = Date().timeIntervalSince(queue[0].since)
                if closed || queuedItems >= minBatchItems || waited >= maxWait { break }
                _ = condition.wait(until: queue[0].since.addingTimeInterval(maxWait))
            }
            if queue.isEmpty {
                running = false
                condition.unlock()
                return
            }
            var take = 0
            var items = 0
            while take < queue.count && (take == 0 || items + queue[take].items <= maxBatchItems) {
                items += queue[take].items
                take += 1
            }
            let jobs = queue.prefix(take).map(\.job)
            queue.removeFirst(take)
            condition.unlock()

            var batchReport = report
            do {
                try store.db.batch {
                    for job in jobs { try job(store, &batchReport) }
                }
                condition.lock()
                report = batchReport
                queuedItems -= items
                condition.unlock()
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                queuedItems = 0
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
