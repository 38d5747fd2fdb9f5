import Foundation
import Testing

@testable import Store

@Suite struct KeyFilterTests {
    @Test(arguments: [false, true])
    func neverForgetsAKeyAndRarelyClaimsOne(blocked: Bool) {
        var filter = KeyFilter(expectedKeys: 100_000, blocked: blocked)
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<100_000).map { _ in Int64(bitPattern: rng.next()) }
        for key in keys { filter.insert(key) }
        #expect(keys.allSatisfy(filter.mightContain))
        let strangers = (0..<100_000).map { _ in Int64(bitPattern: rng.next()) }
        let claimed = strangers.filter(filter.mightContain).count
        #expect(claimed < 1_000, "false positives: \(claimed) of 100000")
        #expect(!filter.isOverfull)
    }

    @Test(arguments: [false, true])
    func reportsWhenItHoldsTooManyKeys(blocked: Bool) {
        var filter = KeyFilter(expectedKeys: 1, blocked: blocked)
        var n: Int64 = 0
        while !filter.isOverfull && n < 10_000_000 {
            filter.insert(n &* 0x1E37_79B9_7F4A_7C15)
            n += 1
        }
        #expect(filter.isOverfull)
        #expect(n > 60_000)  // the smallest filter (2^20 bits) takes 65,536 keys
    }

    /// The writer's week filter grows when it holds too many keys: rebuilt bigger from the week's rows, saved with
    /// the transaction, and it still answers "maybe" for every key.
    @Test func growsAWeekFilterFromTheTableWhenItIsOverfull() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("filter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("t.sqlite").path)
        let period: Int64 = 2_911
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<80_000).map { _ in Int64(bitPattern: rng.next()) }
        try store.db.transaction {
            for chunk in stride(from: 0, to: keys.count, by: 10_000) {
                let part = keys[chunk..<chunk + 10_000]
                try store.db.insert(
                    "INSERT INTO band_keys (period, key, item_id) VALUES", triples: part.map { (period, $0, 1) })
                try store.keyFilter.noteWritten(part, period: period, db: store.db)
            }
            try store.keyFilter.save(db: store.db)
        }
        let row = try #require(try store.db.query("SELECT keys, bits FROM band_filters WHERE period = ?", period).first)
        let stored = try #require(KeyFilter(encoded: row.blob(1), count: Int(row.int(0)), blocked: true))
        #expect(row.blob(1).count > 1 << 17, "bigger than the smallest filter (128 KiB)")
        #expect(!stored.isOverfull)
        #expect(keys.filter { !stored.mightContain($0) }.isEmpty, "no key forgotten")
    }
}
