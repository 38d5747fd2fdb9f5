public import Foundation

/// The `Retry-After` header of a 429 or 503 (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Reads delay-seconds (`120`) or an HTTP date; returns the moment from which a retry is welcome.
    public static func parse(_ header: String, now: Date) -> Date? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            guard let seconds = Int(text) else { return nil }  // absurdly many digits
            return now.addingTimeInterval(TimeInterval(seconds))
        }
        return HTTPDate.parse(text)
    }
}

/// The `Cache-Control` response header (RFC 9111 §5.2).
public enum CacheControl {
    /// The `max-age` directive in seconds (`max-age=600`, also quoted); nil when absent or malformed.
    /// `no-store` and `no-cache` say nothing about polling, so they give nil too.
    public static func maxAge(_ header: String) -> TimeInterval? {
        for directive in header.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, parts[0].lowercased() == "max-age" else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return TimeInterval(Int(value) ?? Int.max)
        }
        return nil
    }
}

/// Per-feed error backoff: 15 minutes after the first failure, doubling, capped (24 hours by default).
/// It never gives up: a failing feed is still tried once per cap.
public enum Backoff {
    public static let base: TimeInterval = 15 * 60
    public static let cap: TimeInterval = 24 * 3600

    /// The wait after `consecutiveFailures` failures in a row; 0 when there were none.
    public static func delay(
        consecutiveFailures: Int, base: TimeInterval = Backoff.base, cap: TimeInterval = Backoff.cap
    ) -> TimeInterval {
        guard consecutiveFailures > 0 else { return 0 }
        let doublings = min(consecutiveFailures - 1, 62)
        return min(cap, base * pow(2, Double(doublings)))
    }
}

/// When a feed is next due: the latest of its polling interval, the server's hints and the error backoff.
public enum FeedSchedule {
    /// The longest any server hint (RSS `ttl`, `max-age`, `Retry-After`) may push a feed back.
    public static let maxHint: TimeInterval = 24 * 3600
    /// How often a feed is fetched without validators, to beat servers whose validators never change.
    public static let unconditionalEvery: TimeInterval = 24 * 3600

    /// - Parameters:
    ///   - lastAttempt: when the last fetch was made.
    ///   - interval: the feed's configured polling interval.
    ///   - ttlMinutes: the RSS `<ttl>`, a minimum interval in minutes.
    ///   - maxAge: `Cache-Control: max-age` of the last response, in seconds.
    ///   - retryAfter: the moment a 429/503's `Retry-After` named (see `RetryAfter.parse`).
    ///   - consecutiveFailures: failures in a row so far, the last attempt included.
    /// - Returns: the earliest moment the feed should be fetched again. Hints count up to `maxHint`.
    public static func nextDue(
        lastAttempt: Date, interval: TimeInterval, ttlMinutes: Int? = nil, maxAge: TimeInterval? = nil,
        retryAfter: Date? = nil, consecutiveFailures: Int = 0, maxHint: TimeInterval = FeedSchedule.maxHint
    ) -> Date {
        var wait = max(0, interval)
        if let ttlMinutes, ttlMinutes > 0 { wait = max(wait, min(maxHint, TimeInterval(ttlMinutes) * 60)) }
        if let maxAge, maxAge > 0 { wait = max(wait, min(maxHint, maxAge)) }
        if let retryAfter { wait = max(wait, min(maxHint, retryAfter.timeIntervalSince(lastAttempt))) }
        wait = max(wait, Backoff.delay(consecutiveFailures: consecutiveFailures))
        return lastAttempt.addingTimeInterval(wait)
    }

    /// Whether this fetch should go without validators: none was made yet, or the last is `every` ago.
    public static func needsUnconditionalFetch(
        lastUnconditional: Date?, now: Date, every: TimeInterval = FeedSchedule.unconditionalEvery
    ) -> Bool {
        guard let lastUnconditional else { return true }
        return now.timeIntervalSince(lastUnconditional) >= every
    }
}
