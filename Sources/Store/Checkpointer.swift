import Foundation

/// Copies the write-ahead log into the database file on a thread of its own while a writer stores many items
/// (`fetch`): the writer's connection stops checkpointing (`wal_autocheckpoint = 0`), so a commit only appends
/// to the log and never waits for the copy and its fsync (cold fetch: COMMIT 0.76 s -> 0.31 s of the writer's
/// time). A passive checkpoint never blocks the writer or the readers; what it cannot copy yet (frames a
/// reader's snapshot still needs) it copies next time. `stop()` hands checkpointing back to the writer.
public final class Checkpointer: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = false
    private var running = true
    private var finished = false
    private let store: Store

    /// Starts checkpointing `store`'s database on a second connection; nil when it cannot be opened (the writer
    /// then keeps checkpointing itself).
    public init?(store: Store) {
        guard let db = try? Database(path: store.db.path) else { return nil }
        self.store = store
        try? store.db.execute("PRAGMA wal_autocheckpoint = 0")
        let box = DatabaseBox(db)
        let thread = Thread { [self] in loop(box.db) }
        thread.name = "aggregator.checkpoint"
        thread.start()
    }

    /// After a commit: the log has grown.
    public func committed() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread (after a last checkpoint when there was a commit since the previous one) and lets the
    /// writer checkpoint again.
    public func stop() {
        condition.lock()
        running = false
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
        try? store.db.execute("PRAGMA wal_autocheckpoint = 1000")
    }

    private func loop(_ db: Database) {
        condition.lock()
        while running || pending {
            if !pending {
                condition.wait()
                continue
            }
            pending = false
            condition.unlock()
            // Busy (another checkpoint) or partial (a reader's snapshot): retried after the next commit.
            try? db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            condition.lock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private final class DatabaseBox: @unchecked Sendable {
        let db: Database
        init(_ db: Database) { self.db = db }
    }
}
