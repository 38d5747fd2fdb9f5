import Testing

@testable import Store

@Suite struct KeyPeriodsTests {
    @Test func putsTimesInTheirWeekRoundingDown() {
        #expect(KeyPeriods.period(0) == 0)
        #expect(KeyPeriods.period(604_799) == 0)
        #expect(KeyPeriods.period(604_800) == 1)
        #expect(KeyPeriods.period(-1) == -1)
        #expect(KeyPeriods.period(-604_800) == -1)
        #expect(KeyPeriods.period(-604_801) == -2)
        #expect(KeyPeriods.period(1_760_000_000) == 2910)
    }

    @Test func handlesTheExtremesOfAnUndatedWindow() {
        #expect(KeyPeriods.period(Int64.min) < KeyPeriods.period(-1))
        #expect(KeyPeriods.period(Int64.max) > KeyPeriods.period(1_760_000_000))
    }
}
