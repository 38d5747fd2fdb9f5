import Foundation

/// The global limit on transfers (`FetcherOptions.concurrency`) shared by the transfer threads of one fetch. Each
/// thread runs the requests of its own hosts (see `Fetcher`) and keeps to its share of the slots while another
/// thread has requests waiting; once none has, it may take any free slot. A slot given back wakes the threads
/// that wait for one.
final class TransferSlots: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private let share: Int
    private var total = 0
    private var inUse: [Int]
    private var waiting: [Int]
    private var wakers: [(() -> Void)?]

    init(limit: Int, threads: Int) {
        self.limit = max(1, limit)
        share = max(1, (self.limit + threads - 1) / threads)
        inUse = Array(repeating: 0, count: threads)
        waiting = Array(repeating: 0, count: threads)
        wakers = Array(repeating: nil, count: threads)
    }

    /// Thread `index` starts with `waiting` requests; `wake` interrupts its wait for transfers (it is called with
    /// the lock held, so never after `leave`).
    func join(_ index: Int, waiting count: Int, wake: @escaping () -> Void) {
        lock.withLock {
            waiting[index] = count
            wakers[index] = wake
        }
    }

    /// Thread `index` has ended (its transfers too, finished or not): it waits for nothing, holds no slot and wakes
    /// no more.
    func leave(_ index: Int) {
        lock.withLock {
            waiting[index] = 0
            wakers[index] = nil
            total -= inUse[index]
            inUse[index] = 0
        }
        wakeOthers(than: index)
    }

    /// A slot for one more transfer of thread `index`, which then has `waiting` requests left; false when none
    /// is free for it now.
    func acquire(_ index: Int, waitingAfter count: Int) -> Bool {
        lock.withLock {
            guard total < limit else { return false }
            if inUse[index] >= share {
                for other in waiting.indices where other != index && waiting[other] > 0 { return false }
            }
            total += 1
            inUse[index] += 1
            waiting[index] = count
            return true
        }
    }

    /// Gives back a slot of thread `index`.
    func release(_ index: Int) {
        lock.withLock {
            total -= 1
            inUse[index] -= 1
        }
        wakeOthers(than: index)
    }

    /// Thread `index` started all its requests: the others may use its share.
    func drained(_ index: Int) {
        let changed = lock.withLock {
            defer { waiting[index] = 0 }
            return waiting[index] > 0
        }
        if changed { wakeOthers(than: index) }
    }

    private func wakeOthers(than index: Int) {
        lock.withLock {
            for other in wakers.indices where other != index && waiting[other] > 0 { wakers[other]?() }
        }
    }
}
