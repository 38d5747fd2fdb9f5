import Foundation
import Testing

@testable import Fetch

/// The global limit shared by a fetch's transfer threads (`TransferSlots`) and how requests are dealt to them.
@Suite struct TransferSlotsTests {
    final class Wakes: @unchecked Sendable {
        private let lock = NSLock()
        private var counts = [0, 0]
        func wake(_ index: Int) { lock.withLock { counts[index] += 1 } }
        subscript(_ index: Int) -> Int { lock.withLock { counts[index] } }
    }

    @Test func keepsEachThreadToItsShareWhileTheOtherWaits() {
        let slots = TransferSlots(limit: 4, threads: 2)
        let wakes = Wakes()
        slots.join(0, waiting: 10) { wakes.wake(0) }
        slots.join(1, waiting: 10) { wakes.wake(1) }
        #expect(slots.acquire(0, waitingAfter: 9))
        #expect(slots.acquire(0, waitingAfter: 8))
        #expect(!slots.acquire(0, waitingAfter: 7), "its share is 2 while thread 1 waits")
        #expect(slots.acquire(1, waitingAfter: 9))
        #expect(slots.acquire(1, waitingAfter: 8))
        #expect(!slots.acquire(1, waitingAfter: 7), "the limit: 4 in all")
        slots.release(0)
        #expect(wakes[1] == 1, "a slot given back wakes the thread that waits")
        #expect(slots.acquire(0, waitingAfter: 7))
        // Thread 1 has started everything: thread 0 may take what is free beyond its share.
        slots.drained(1)
        slots.release(1)
        #expect(slots.acquire(0, waitingAfter: 6))
        #expect(!slots.acquire(0, waitingAfter: 5), "still 4 in all")
        // A thread that ends gives its slots back.
        slots.leave(1)
        #expect(slots.acquire(0, waitingAfter: 5))
        #expect(!slots.acquire(0, waitingAfter: 4))
    }

    @Test func dealsHostsToThreadsInTurnAndKeepsEachHostInOne() {
        let urls = [
            "http://a.example/1", "http://b.example/1", "http://a.example/2", "http://c.example/1", "nonsense",
            "http://B.example/2", "http://c.example/2",
        ]
        let requests = urls.enumerated().map { FetchRequest(id: $0.offset, url: $0.element) }
        let parts = Fetcher.partition(requests, threads: 2)
        #expect(parts.map { $0.map(\.id) } == [[0, 2, 3, 4, 6], [1, 5]])
        #expect(Fetcher.partition(requests, threads: 1).map { $0.map(\.id) } == [Array(0..<7)])
    }

    @Test func usesOneThreadForFewRequestsOrOneHost() {
        let options = FetcherOptions(concurrency: 4, perHost: 4)
        let oneHost = (0..<20).map { FetchRequest(id: $0, url: "http://a.example/\($0)") }
        #expect(Fetcher.threads(for: oneHost, options: options) == 1)
        let few = (0..<4).map { FetchRequest(id: $0, url: "http://h\($0).example/") }
        #expect(Fetcher.threads(for: few, options: options) == 1)
        let many = (0..<20).map { FetchRequest(id: $0, url: "http://h\($0 % 5).example/") }
        let expected = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1
        #expect(Fetcher.threads(for: many, options: options) == expected)
    }
}
