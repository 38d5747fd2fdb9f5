import CCurl
import Foundation

/// Owns one curl multi handle and drives transfers of one `Fetcher.fetch` call on the calling thread (the
/// requests of some hosts, when the fetch runs on several threads). Keeps its own queue so that at most
/// `concurrency` transfers run in all (`slots`, shared with the other threads), at most `perHost` per host;
/// libcurl's connection limits are set too, as a backstop.
final class MultiSession {
    private let multi: UnsafeMutableRawPointer
    private let options: FetcherOptions
    private let signal: CancelSignal
    private let deliver: (FetchResult) -> Void
    private let slots: TransferSlots
    /// This session's index among the fetch's threads (in `slots`).
    private let index: Int
    private typealias Job = (request: FetchRequest, url: String, host: String)
    /// Every request of the run, in order; `started` marks those handed to libcurl (or failed), and every job
    /// before `cursor` is started.
    private var jobs: [Job] = []
    private var started: [Bool] = []
    private var cursor = 0
    private var waitingCount = 0
    /// Per host, the indices of its jobs not started yet, oldest first (from `head` on).
    private var waitingByHost: [String: (indices: [Int], head: Int)] = [:]
    /// Hosts whose transfer just ended, in that order: their connection is open and idle in libcurl's cache.
    private var freedHosts: [String] = []
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var activePerHost: [String: Int] = [:]

    /// - Throws: `FetchError` when libcurl cannot make the multi handle.
    init(
        options: FetcherOptions, signal: CancelSignal, slots: TransferSlots? = nil, index: Int = 0,
        deliver: @escaping (FetchResult) -> Void
    ) throws(FetchError) {
        self.slots = slots ?? TransferSlots(limit: options.concurrency, threads: 1)
        self.index = index
        try Curl.initialize(url: "")
        // https://curl.se/libcurl/c/curl_multi_init.html
        guard let multi = curl_multi_init() else {
            throw FetchError(.setup, url: "", reason: "curl_multi_init failed")
        }
        self.multi = multi
        self.options = options
        self.signal = signal
        self.deliver = deliver
        signal.attach(multi)
        // https://curl.se/libcurl/c/curl_multi_setopt.html
        try Curl.check(
            ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.concurrency),
            "multi setopt MAX_TOTAL_CONNECTIONS", url: "")
        try Curl.check(
            ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.perHost),
            "multi setopt MAX_HOST_CONNECTIONS", url: "")
        try Curl.check(
            ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, ccurl_pipe_multiplex()),
            "multi setopt PIPELINING", url: "")
    }

    deinit {
        slots.leave(index)
        signal.detach(multi)
        for easy in active.keys { _ = curl_multi_remove_handle(multi, easy) }
        active.removeAll()
        curl_multi_cleanup(multi)
    }

    /// Runs every request to completion (or until the signal is cancelled), delivering each result as it ends.
    func run(_ requests: [FetchRequest]) {
        for request in requests {
            switch Self.normalize(request.url) {
            case .success(let (url, host)):
                waitingByHost[host, default: ([], 0)].indices.append(jobs.count)
                jobs.append((request, url, host))
            case .failure(let error): deliver(FetchResult(request: request, outcome: .failure(error), seconds: 0))
            }
        }
        started = Array(repeating: false, count: jobs.count)
        waitingCount = jobs.count
        slots.join(index, waiting: waitingCount) { [multi] in _ = curl_multi_wakeup(multi) }
        startWaiting()
        while !active.isEmpty || waitingCount > 0 {
            if signal.isCancelled { return }
            do {
                var running: Int32 = 0
                // https://curl.se/libcurl/c/curl_multi_perform.html
                try Curl.check(curl_multi_perform(multi, &running), "curl_multi_perform", url: "")
                collectFinished()
                startWaiting()
                if active.isEmpty && waitingCount == 0 { break }
                // https://curl.se/libcurl/c/curl_multi_poll.html: waits for activity, curl's own timeout,
                // or curl_multi_wakeup from CancelSignal or from another thread giving a slot back (when this
                // one has requests waiting and no transfer).
                var ready: Int32 = 0
                try Curl.check(curl_multi_poll(multi, nil, 0, 1000, &ready), "curl_multi_poll", url: "")
            } catch {
                failAll(error)
                return
            }
        }
    }

    /// Starts waiting requests while the global and per-host limits allow: first the next request of each host
    /// whose transfer just ended, on the connection that transfer leaves open (no new TCP connection or TLS
    /// handshake: local benchmark of 1,000 feeds on 64 hosts, mean transfer 59.4 -> 57 ms), then the others in
    /// order.
    private func startWaiting() {
        defer {
            freedHosts.removeAll(keepingCapacity: true)
            while cursor < jobs.count && started[cursor] { cursor += 1 }
            if waitingCount == 0 { slots.drained(index) }
        }
        for host in freedHosts {
            guard activePerHost[host, default: 0] < options.perHost, let job = nextWaiting(of: host) else { continue }
            guard slots.acquire(index, waitingAfter: waitingCount - 1) else { return }
            start(job)
        }
        var job = cursor
        while job < jobs.count, waitingCount > 0 {
            if !started[job] && activePerHost[jobs[job].host, default: 0] < options.perHost {
                guard slots.acquire(index, waitingAfter: waitingCount - 1) else { return }
                start(job)
            }
            job += 1
        }
    }

    /// The oldest job of `host` not started yet.
    private func nextWaiting(of host: String) -> Int? {
        guard var queue = waitingByHost[host] else { return nil }
        while queue.head < queue.indices.count && started[queue.indices[queue.head]] { queue.head += 1 }
        waitingByHost[host] = queue.head < queue.indices.count ? queue : nil
        return queue.head < queue.indices.count ? queue.indices[queue.head] : nil
    }

    /// Starts job `job` in a slot acquired for it.
    private func start(_ job: Int) {
        started[job] = true
        waitingCount -= 1
        let (request, url, host) = jobs[job]
        do {
            let transfer = try Transfer(request: request, url: url, hostKey: host)
            try transfer.configure(options)
            // https://curl.se/libcurl/c/curl_multi_add_handle.html
            try Curl.check(curl_multi_add_handle(multi, transfer.easy), "curl_multi_add_handle", url: url)
            active[transfer.easy] = transfer
            activePerHost[host, default: 0] += 1
        } catch {
            slots.release(index)
            deliver(FetchResult(request: request, outcome: .failure(error), seconds: 0))
        }
    }

    /// Reads libcurl's completion messages, removes the finished handles and delivers their results.
    private func collectFinished() {
        var left: Int32 = 0
        // https://curl.se/libcurl/c/curl_multi_info_read.html
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active.removeValue(forKey: easy)
            else { continue }
            let code = ccurl_msg_result(message)
            _ = curl_multi_remove_handle(multi, easy)
            slots.release(index)
            activePerHost[transfer.hostKey, default: 1] -= 1
            freedHosts.append(transfer.hostKey)
            let outcome = transfer.finish(code, options: options)
            deliver(FetchResult(request: transfer.request, outcome: outcome, seconds: transfer.elapsed))
        }
    }

    private func failAll(_ error: FetchError) {
        for transfer in active.values {
            deliver(FetchResult(request: transfer.request, outcome: .failure(error), seconds: transfer.elapsed))
        }
        for index in jobs.indices where !started[index] {
            started[index] = true
            deliver(FetchResult(request: jobs[index].request, outcome: .failure(error), seconds: 0))
        }
        waitingCount = 0
    }

    /// Accepts http(s):// and file:// URLs and absolute paths; returns the URL for libcurl and the host key.
    static func normalize(_ raw: String) -> Result<(url: String, host: String), FetchError> {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("/") {
            return .success((URL(fileURLWithPath: trimmed).absoluteString, ""))
        }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("file://") { return .success((trimmed, "")) }
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return .failure(
                FetchError(
                    .invalidURL, url: raw, reason: "unsupported url: expected http(s)://, file:// or an absolute path"))
        }
        let afterScheme = lower[lower.index(lower.firstIndex(of: ":") ?? lower.startIndex, offsetBy: 3)...]
        var authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else {
            return .failure(FetchError(.invalidURL, url: raw, reason: "url has no host"))
        }
        return .success((trimmed, lower.hasPrefix("https") ? "https://\(authority)" : "http://\(authority)"))
    }
}
