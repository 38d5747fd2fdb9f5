import Foundation
import Testing

@testable import Fetch

/// An independent oracle for expected dates: Foundation's Gregorian calendar in GMT.
func gmt(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) throws -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "GMT"))
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return try #require(calendar.date(from: components))
}

@Suite struct HTTPDateTests {
    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
        "Sun Nov  6 08:49:37 1994",  // asctime
        "06 Nov 1994 08:49:37 GMT",  // no weekday
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "sun, 06 nov 1994 08:49:37 utc",
    ])
    func parsesTheThreeFormsAndCommonVariants(text: String) throws {
        #expect(HTTPDate.parse(text) == (try gmt(1994, 11, 6, 8, 49, 37)))
    }

    @Test(arguments: [
        "", "yesterday", "Sun, 06 Nov 1994 08:49 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 +0700",
        "1994-11-06T08:49:37Z",
    ])
    func rejectsMalformedDates(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test func readsTwoDigitYearsAcrossTheCentury() throws {
        #expect(HTTPDate.parse("Thursday, 01-Jan-04 00:00:00 GMT") == (try gmt(2004, 1, 1)))
        #expect(HTTPDate.parse("Friday, 31-Dec-99 23:59:59 GMT") == (try gmt(1999, 12, 31, 23, 59, 59)))
    }

    @Test(arguments: [
        (1994, 11, 6, 8, 49, 37), (2000, 2, 29, 12, 0, 0), (2024, 12, 31, 23, 59, 59), (1970, 1, 1, 0, 0, 0),
        (2100, 3, 1, 6, 7, 8),
    ])
    func formatsIMFFixdateThatParsesBack(date: (Int, Int, Int, Int, Int, Int)) throws {
        let value = try gmt(date.0, date.1, date.2, date.3, date.4, date.5)
        let text = HTTPDate.format(value)
        #expect(HTTPDate.parse(text) == value)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(text == formatter.string(from: value))
    }
}

@Suite struct PolitenessTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func readsRetryAfterSeconds() {
        #expect(RetryAfter.parse("120", now: now) == now.addingTimeInterval(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == now)
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("1.5", now: now) == nil)
        #expect(RetryAfter.parse("99999999999999999999999", now: now) == nil)
    }

    @Test func readsRetryAfterDates() throws {
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == (try gmt(2015, 10, 21, 7, 28)))
        #expect(RetryAfter.parse("soon", now: now) == nil)
    }

    @Test(
        arguments: [
            ("max-age=600", 600.0), ("public, max-age=60, must-revalidate", 60), ("MAX-AGE=\"30\"", 30),
            ("max-age=0", 0), ("s-maxage=100, max-age=5", 5),
        ] as [(String, Double)])
    func readsMaxAge(header: String, seconds: Double) {
        #expect(CacheControl.maxAge(header) == seconds)
    }

    @Test(arguments: ["no-cache", "no-store", "max-age=abc", "max-age=", "max-age=-1", ""])
    func ignoresHeadersWithoutAUsableMaxAge(header: String) {
        #expect(CacheControl.maxAge(header) == nil)
    }

    @Test func backsOffDoublingFrom15MinutesTo24Hours() {
        let delays = (0...12).map { Backoff.delay(consecutiveFailures: $0) }
        #expect(delays[0] == 0)
        #expect(delays[1] == 15 * 60)
        for n in 2...12 { #expect(delays[n] == min(2 * delays[n - 1], 86400)) }
        #expect(delays.max() == 86400)
        #expect(Backoff.delay(consecutiveFailures: 10_000) == 86400)
        #expect(Backoff.delay(consecutiveFailures: 3, base: 60, cap: 200) == 200)
    }

    @Test func schedulesByTheLongestOfIntervalHintsAndBackoff() {
        let interval: TimeInterval = 30 * 60
        func due(_ ttl: Int? = nil, _ maxAge: TimeInterval? = nil, _ retry: TimeInterval? = nil, _ failures: Int = 0)
            -> TimeInterval
        {
            FeedSchedule.nextDue(
                lastAttempt: now, interval: interval, ttlMinutes: ttl, maxAge: maxAge,
                retryAfter: retry.map { now.addingTimeInterval($0) }, consecutiveFailures: failures
            ).timeIntervalSince(now)
        }
        #expect(due() == interval)
        #expect(due(60) == 3600)
        #expect(due(5) == interval)
        #expect(due(nil, 7200) == 7200)
        #expect(due(nil, 60) == interval)
        #expect(due(nil, nil, 5400) == 5400)
        #expect(due(nil, nil, -100) == interval)
        #expect(due(nil, nil, nil, 3) == 3600)
        #expect(due(120, 3600, 60, 1) == 7200)
        // A hint can delay a feed by at most a day; backoff is capped at a day too.
        #expect(due(100_000, 10_000_000, 10_000_000, 1000) == 86400)
    }

    @Test func refetchesWithoutValidatorsOnceADay() {
        #expect(FeedSchedule.needsUnconditionalFetch(lastUnconditional: nil, now: now))
        #expect(!FeedSchedule.needsUnconditionalFetch(lastUnconditional: now.addingTimeInterval(-3600), now: now))
        #expect(FeedSchedule.needsUnconditionalFetch(lastUnconditional: now.addingTimeInterval(-86400), now: now))
    }
}
