import Foundation
import Store
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 during a large `aggregator fetch`, several times, then a clean run: the database is intact and holds
/// every served item exactly once; a feed's validators are never stored without its items. (Writing the ETag
/// before the items, in its own transaction, fails this test: items are then lost behind 304s.) Sized so that the
/// kills land in the transfers and in the writes of a debug build on 2 busy cores.
@Suite struct FetchRunCrashTests {
    static let feeds = 60
    static let itemsPerFeed = 25

    /// Feeds whose stored ETag is ahead of their items (the ETag is only ever written with all of them).
    static func validatorsAheadOfItems(_ db: String) throws -> [String] {
        let store = try Store(path: db)
        return try store.db.query(
            """
            SELECT f.name FROM feeds f
            WHERE f.etag IS NOT NULL AND (SELECT count(*) FROM items i WHERE i.feed_id = f.id) <> ?
            """, itemsPerFeed
        ).map { $0.text(0) }
    }

    @Test(.timeLimit(.minutes(1)))
    func killedRunsLoseAndDuplicateNothing() async throws {
        let server = try FetchServer.start()
        let run = uniqueKey("crash")
        var toml = "[settings]\nconcurrency = 16\nper_host = 16\n"
        for index in 0..<Self.feeds {
            toml += "\n[[feeds]]\nname = \"f\(index)\"\nurl = \"\(server.url("/items/\(run)-\(index)?n=\(Self.itemsPerFeed)"))\"\n"
        }
        let box = try FetchSandbox(toml)
        var rng = SystemRandomNumberGenerator()
        var kills = 0
        for attempt in 0..<5 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["--config", box.config, "--db", box.db, "--quiet", "fetch"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Early kills land in the transfers, later ones in the middle of the writes.
            let delay = Double.random(in: 0.15...(0.4 + 0.4 * Double(attempt)), using: &rng)
            try await Task.sleep(for: .seconds(delay))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            if FileManager.default.fileExists(atPath: box.db) {
                #expect(try Self.validatorsAheadOfItems(box.db) == [], "after kill \(attempt)")
            }
        }
        #expect(kills >= 1, "at least one run was killed mid-way")

        let clean = try box.fetch()
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains(" 0 failed;"), "\(clean.stdout)")
        let store = try Store(path: box.db)
        #expect(try store.db.query("PRAGMA integrity_check").map { $0.text(0) } == ["ok"])
        #expect(try store.db.query("PRAGMA foreign_key_check").isEmpty)
        let total = Self.feeds * Self.itemsPerFeed
        #expect(try store.db.scalarInt("SELECT count(*) FROM items") == Int64(total))
        #expect(try store.db.scalarInt("SELECT count(DISTINCT guid) FROM items") == Int64(total))
        let perFeed = try store.db.query(
            "SELECT f.name, count(i.id) FROM feeds f LEFT JOIN items i ON i.feed_id = f.id GROUP BY f.id HAVING count(i.id) <> ?",
            Self.itemsPerFeed)
        #expect(perFeed.isEmpty, "\(perFeed.map { "\($0.text(0)): \($0.int(1))" })")
        #expect(try Self.validatorsAheadOfItems(box.db) == [])
        #expect(try store.db.scalarInt("SELECT count(*) FROM feeds WHERE etag IS NULL OR last_status NOT IN (200, 304)") == 0)
    }
}
