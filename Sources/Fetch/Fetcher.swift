import Foundation

/// Fetches feeds with libcurl's multi interface on a dedicated thread.
public final class Fetcher: Sendable {
    public let options: FetcherOptions

    public init(options: FetcherOptions = FetcherOptions()) {
        self.options = options
    }

    /// Runs all transfers on a dedicated `Thread` (never on Swift's cooperative pool), yielding each result as
    /// soon as its transfer completes, so the caller can parse and store while others download.
    /// Every request yields exactly one result, in completion order. Ending iteration early cancels the rest.
    public func fetch(_ requests: [FetchRequest]) -> AsyncStream<FetchResult> {
        let (stream, continuation) = AsyncStream.makeStream(of: FetchResult.self, bufferingPolicy: .unbounded)
        let signal = CancelSignal()
        continuation.onTermination = { _ in signal.cancel() }
        let options = self.options
        let thread = Thread {
            do throws(FetchError) {
                let session = try MultiSession(options: options, signal: signal) { continuation.yield($0) }
                session.run(requests)
            } catch {
                for request in requests {
                    continuation.yield(FetchResult(request: request, outcome: .failure(error), seconds: 0))
                }
            }
            continuation.finish()
        }
        thread.name = "aggregator.fetch"
        thread.start()
        return stream
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
