import Foundation

/// Fetches feeds with libcurl's multi interface on threads of its own (see `fetch`).
public final class Fetcher: Sendable {
    public let options: FetcherOptions

    public init(options: FetcherOptions = FetcherOptions()) {
        self.options = options
    }

    /// Runs all transfers on dedicated `Thread`s (never on Swift's cooperative pool), yielding each result as
    /// soon as its transfer completes, so the caller can parse and store while others download.
    /// Every request yields exactly one result, in completion order. Ending iteration early cancels the rest.
    ///
    /// Many requests run on two threads (on a machine with more than one core), each with the requests of half the
    /// hosts and its own multi handle, sharing the global limit (`TransferSlots`). One thread decompressing every
    /// response was a queue: with transfers ending together, the last waited for the others' bodies (local
    /// benchmark of 1,000 feeds, 50 ms latency, 16 at a time: 3.62-3.65 s on one thread, 3.37-3.47 on two).
    public func fetch(_ requests: [FetchRequest]) -> AsyncStream<FetchResult> {
        let (stream, continuation) = AsyncStream.makeStream(of: FetchResult.self, bufferingPolicy: .unbounded)
        let signal = CancelSignal()
        continuation.onTermination = { _ in signal.cancel() }
        let options = self.options
        let parts = Self.partition(requests, threads: Self.threads(for: requests, options: options))
        let slots = TransferSlots(limit: options.concurrency, threads: parts.count)
        let running = Countdown(parts.count) { continuation.finish() }
        for (index, part) in parts.enumerated() {
            let thread = Thread {
                do throws(FetchError) {
                    let session = try MultiSession(options: options, signal: signal, slots: slots, index: index) {
                        continuation.yield($0)
                    }
                    session.run(part)
                } catch {
                    slots.leave(index)
                    for request in part {
                        continuation.yield(FetchResult(request: request, outcome: .failure(error), seconds: 0))
                    }
                }
                running.done()
            }
            thread.name = "aggregator.fetch"
            thread.start()
        }
        return stream
    }

    /// Two threads for a fetch of more requests than it runs at once, on more than one host and core; else one.
    static func threads(for requests: [FetchRequest], options: FetcherOptions) -> Int {
        guard options.concurrency >= 4, requests.count > options.concurrency,
            ProcessInfo.processInfo.activeProcessorCount > 1
        else { return 1 }
        var hosts = Set<String>()
        for request in requests {
            if case .success(let (_, host)) = MultiSession.normalize(request.url) { hosts.insert(host) }
            if hosts.count > 1 { return 2 }
        }
        return 1
    }

    /// The requests split by host over `threads` parts (hosts dealt in turn, in order of first appearance; every
    /// request of a host in one part, where its connections live). Requests without a host go to the first.
    static func partition(_ requests: [FetchRequest], threads: Int) -> [[FetchRequest]] {
        guard threads > 1 else { return [requests] }
        var parts = Array(repeating: [FetchRequest](), count: threads)
        var partOfHost: [String: Int] = [:]
        for request in requests {
            guard case .success(let (_, host)) = MultiSession.normalize(request.url) else {
                parts[0].append(request)
                continue
            }
            let part = partOfHost[host] ?? {
                let next = partOfHost.count % threads
                partOfHost[host] = next
                return next
            }()
            parts[part].append(request)
        }
        return parts
    }

    /// Fetches one request and waits for its result.
    public func fetch(_ request: FetchRequest) async -> FetchResult {
        for await result in fetch([request]) { return result }
        return FetchResult(
            request: request,
            outcome: .failure(FetchError(.setup, url: request.url, reason: "fetch ended without a result")),
            seconds: 0)
    }
}

/// Calls `body` once `count` threads have called `done`.
final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    private let body: @Sendable () -> Void

    init(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        left = count
        self.body = body
    }

    func done() {
        let last = lock.withLock {
            left -= 1
            return left == 0
        }
        if last { body() }
    }
}
