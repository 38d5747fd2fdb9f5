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

    /// A store in a fresh folder, and the folder's path (removed by the caller).
    func freshStore() throws -> (Store, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("filter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try Store(path: dir.appendingPathComponent("t.sqlite").path), dir)
    }

    /// Writes index rows of `period` for `keys` and tells the writer's filter, in one transaction.
    func commit(_ keys: [Int64], period: Int64, item: Int64, store: Store) throws {
        try store.db.transaction {
            try store.db.insert("INSERT INTO band_keys (period, key, item_id) VALUES", triples: keys.map { (period, $0, item) })
            try store.keyFilter.noteWritten(keys, period: period, db: store.db)
        }
    }

    func storedFilter(_ period: Int64, _ db: Database) throws -> KeyFilter? {
        guard let row = try db.query("SELECT keys, bits FROM band_filters WHERE period = ?", period).first else { return nil }
        return KeyFilter(encoded: row.blob(1), count: Int(row.int(0)), blocked: true)
    }

    /// A fetch run defers the day filters: its commits write none (the stored one of a day they change is deleted),
    /// and one save at the end stores every key.
    @Test func savesDeferredFiltersOnceAtTheEnd() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let period: Int64 = 2_911
        var rng = SystemRandomNumberGenerator()
        let first = (0..<500).map { _ in Int64(bitPattern: rng.next()) }
        try commit(first, period: period, item: 1, store: store)
        #expect(try storedFilter(period, store.db) != nil, "saved at the commit when not deferred")

        store.deferKeyFilterSaves()
        let second = (0..<500).map { _ in Int64(bitPattern: rng.next()) }
        try commit(second, period: period, item: 2, store: store)
        #expect(try storedFilter(period, store.db) == nil, "the changed day's stored filter is gone")
        let third = (0..<500).map { _ in Int64(bitPattern: rng.next()) }
        try commit(third, period: period + 1, item: 3, store: store)
        #expect(try store.db.scalarInt("SELECT count(*) FROM band_filters") == 0)

        try store.saveDeferredKeyFilters()
        let day = try #require(try storedFilter(period, store.db))
        #expect((first + second).allSatisfy(day.mightContain))
        let next = try #require(try storedFilter(period + 1, store.db))
        #expect(third.allSatisfy(next.mightContain))
        // Saves happen at commits again.
        let fourth = (0..<500).map { _ in Int64(bitPattern: rng.next()) }
        try commit(fourth, period: period, item: 4, store: store)
        let after = try #require(try storedFilter(period, store.db))
        #expect((first + second + fourth).allSatisfy(after.mightContain))
    }

    /// A run killed before its deferred save leaves the days it wrote without a stored filter: the next store
    /// builds them from the rows, and no key written is skipped.
    @Test func rebuildsTheDaysARunKilledBeforeItsSaveLeftBehind() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let period: Int64 = 2_911
        var rng = SystemRandomNumberGenerator()
        let before = (0..<300).map { _ in Int64(bitPattern: rng.next()) }
        try commit(before, period: period, item: 1, store: store)
        store.deferKeyFilterSaves()
        let during = (0..<300).map { _ in Int64(bitPattern: rng.next()) }
        try commit(during, period: period, item: 2, store: store)
        // No saveDeferredKeyFilters: the process ends here.

        let reopened = try Store(path: store.db.path)
        let asked = before + during
        let lookedUp = try reopened.keyFilter.keysToLookUp(asked, periods: [period], db: reopened.db)
        let skipped = Set(asked).subtracting(lookedUp.first?.keys ?? [])
        #expect(skipped.isEmpty, "every key written is looked up; skipped: \(skipped.count)")
        let strangers = (0..<1_000).map { _ in Int64(bitPattern: rng.next()) }
        let claimed = try reopened.keyFilter.keysToLookUp(strangers, periods: [period], db: reopened.db)
        #expect((claimed.first?.keys.count ?? 1_000) < 50, "the rebuilt filter still filters")
    }

    /// A rolled-back transaction of a deferring writer leaves the stored filter as the last commit left it.
    @Test func keepsTheStoredFilterWhenADeferredTransactionRollsBack() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let period: Int64 = 2_911
        let keys: [Int64] = (1...200).map { $0 &* 0x1E37_79B9_7F4A_7C15 }
        try commit(keys, period: period, item: 1, store: store)
        let saved = try #require(try store.db.query("SELECT bits FROM band_filters WHERE period = ?", period).first).blob(0)
        store.deferKeyFilterSaves()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.db.transaction {
                try store.db.insert("INSERT INTO band_keys (period, key, item_id) VALUES", triples: [(period, 7, 2)])
                try store.keyFilter.noteWritten([7], period: period, db: store.db)
                try store.keyFilter.save(db: store.db)
                throw Boom()
            }
        }
        func stored() throws -> [UInt8]? {
            try store.db.query("SELECT bits FROM band_filters WHERE period = ?", period).first?.blob(0)
        }
        #expect(try stored() == saved)
        try store.saveDeferredKeyFilters()
        #expect(try stored() == saved, "nothing left to save after the rollback")
    }

    /// The writer's first filter of a recent day has room for sixteen times the rows it starts from (a first fetch
    /// brings days of items at once), and counts each of them once.
    @Test func givesARecentDaysFirstFilterRoomToGrow() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = Int64(Date().timeIntervalSince1970)
        store.keyFilter.setNow(now)
        let today = KeyPeriods.period(now)
        let keys: [Int64] = (1...20_000).map { $0 &* 0x1E37_79B9_7F4A_7C15 }
        try commit(keys, period: today, item: 1, store: store)
        let row = try #require(try store.db.query("SELECT keys, bits FROM band_filters WHERE period = ?", today).first)
        #expect(row.int(0) == 20_000)
        #expect(row.blob(1).count * 8 >= 20_000 * 16 * 16, "room for 320,000 keys at 16 bits each")
        // A day out of the recent window keeps no filter.
        let old = today - KeyFilterState.recentDays - 5
        try commit(keys, period: old, item: 2, store: store)
        #expect(try store.db.scalarInt("SELECT count(*) FROM band_filters WHERE period = ?", old) == 0)
    }
}
