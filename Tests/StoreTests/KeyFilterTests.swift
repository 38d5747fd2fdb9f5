import Testing

@testable import Store

@Suite struct KeyFilterTests {
    @Test func neverForgetsAKeyAndRarelyClaimsOne() {
        var filter = KeyFilter(expectedKeys: 100_000)
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<100_000).map { _ in Int64(bitPattern: rng.next()) }
        for key in keys { filter.insert(key) }
        #expect(keys.allSatisfy(filter.mightContain))
        let strangers = (0..<100_000).map { _ in Int64(bitPattern: rng.next()) }
        let claimed = strangers.filter(filter.mightContain).count
        #expect(claimed < 1_000, "false positives: \(claimed) of 100000")
        #expect(!filter.isOverfull)
    }

    @Test func reportsWhenItHoldsTooManyKeys() {
        var filter = KeyFilter(expectedKeys: 1)
        var n: Int64 = 0
        while !filter.isOverfull && n < 10_000_000 {
            filter.insert(n &* 0x1E37_79B9_7F4A_7C15)
            n += 1
        }
        #expect(filter.isOverfull)
        #expect(n > 60_000)  // the smallest filter (2^20 bits) takes 65,536 keys
    }
}
