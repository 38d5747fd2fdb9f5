import Testing

@testable import Store

/// The index rows of a transaction come out in the table's order (period, key, item) for its sorted insert.
@Suite struct PendingKeysTests {
    @Test(arguments: [0, 1, 2, 50, 20_000])
    func drainsRowsInTheTablesOrder(count: Int) {
        var rng = SystemRandomNumberGenerator()
        var pending = PendingKeys()
        var expected: [(Int64, Int64, Int64)] = []
        for i in 0..<count {
            // Negative and positive keys, keys shared by several items, several days, items out of order (edits).
            let key = i % 7 == 0 ? Int64(i % 5) - 2 : Int64(bitPattern: rng.next())
            let item = i % 11 == 0 ? Int64(count - i) : Int64(i)
            let period = Int64(20_000 + Int(rng.next() % UInt64(3)))
            pending.append(key, item, period: period)
            expected.append((period, key, item))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
        let drained = pending.drainSorted()
        #expect(drained.count == expected.count)
        #expect(zip(drained, expected).allSatisfy { $0 == $1 })
        #expect(pending.isEmpty)
    }
}
