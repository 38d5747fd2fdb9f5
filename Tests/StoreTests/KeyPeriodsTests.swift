import Feeds
import Foundation
import Testing

@testable import Store

@Suite struct KeyPeriodsTests {
    @Test func putsTimesInTheirDayRoundingDown() {
        #expect(KeyPeriods.period(0) == 0)
        #expect(KeyPeriods.period(86_399) == 0)
        #expect(KeyPeriods.period(86_400) == 1)
        #expect(KeyPeriods.period(-1) == -1)
        #expect(KeyPeriods.period(-86_400) == -1)
        #expect(KeyPeriods.period(-86_401) == -2)
        #expect(KeyPeriods.period(1_760_000_000) == 20_370)
    }

    @Test func givesEachDayItsTimes() {
        #expect(KeyPeriods.times(of: 0) == 0...86_399)
        #expect(KeyPeriods.times(of: -1) == -86_400...(-1))
        #expect(KeyPeriods.times(of: 20_370).contains(1_760_000_000))
        #expect(KeyPeriods.times(of: KeyPeriods.period(Int64.max)).contains(Int64.max))
        #expect(KeyPeriods.times(of: KeyPeriods.period(Int64.min)).contains(Int64.min))
    }

    @Test func handlesTheExtremesOfAWindow() {
        #expect(KeyPeriods.period(Int64.min) < KeyPeriods.period(-1))
        #expect(KeyPeriods.period(Int64.max) > KeyPeriods.period(1_760_000_000))
        let item = Item(id: "x", title: "t", published: Date(timeIntervalSince1970: 0))
        let window = CandidateQuery.window(for: item, itemTime: Int64.max - 5, now: Int64.min + 5, windowDays: 7)
        #expect(window.contains(Int64.max) && window.contains(Int64.min) && !window.contains(0))
    }

    static let now: Int64 = 1_760_000_000

    @Test func limitsAnOldItemToTwoSpansNotTheYearBetween() {
        let old = Self.now - 365 * 86_400
        let item = Item(id: "x", title: "t", published: Date(timeIntervalSince1970: Double(old)))
        let window = CandidateQuery.window(for: item, itemTime: old, now: Self.now, windowDays: 7)
        #expect(window.contains(old - 6 * 86_400) && window.contains(old + 6 * 86_400))
        #expect(window.contains(Self.now - 6 * 86_400) && window.contains(Self.now + 6 * 86_400))
        #expect(!window.contains(old + 8 * 86_400) && !window.contains(Self.now - 8 * 86_400))
        #expect(!window.overlaps(KeyPeriods.times(of: KeyPeriods.period(Self.now - 100 * 86_400))))
        #expect(window.overlaps(KeyPeriods.times(of: KeyPeriods.period(old))))
    }

    @Test func readsFurtherBackForAnUndatedItemAndTakesWhatItFinds() {
        let item = Item(id: "x", title: "t")
        let window = CandidateQuery.window(for: item, itemTime: Self.now, now: Self.now, windowDays: 7)
        let back = CandidateQuery.undatedLookbackDays * 86_400
        #expect(window.overlaps(KeyPeriods.times(of: KeyPeriods.period(Self.now - back))))
        #expect(!window.overlaps(KeyPeriods.times(of: KeyPeriods.period(Self.now - back - 86_400))))
        #expect(!window.overlaps(KeyPeriods.times(of: KeyPeriods.period(Self.now + 8 * 86_400))))
        // Its time is only when it was seen: a candidate found passes whatever its time.
        #expect(!window.limitsTimes && window.contains(Self.now - 400 * 86_400))
    }
}
