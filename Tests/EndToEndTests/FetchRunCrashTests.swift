import Foundation
import Store
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 during a large `aggregator fetch`, several times, then a clean run: the database is intact and holds
/// every served item exactly once; a feed's validators are never stored without its items. (Writing the ETag
/// before the items, in its own transaction, fails this test: items are then lost behind 304s.) Sized so that the
/// run commits in several batches (the test sets the writer to join at least 1,000 queued items, or what waited 0.5 s, per transaction): kills land in the transfers
/// and between and inside the commits.
@Suite struct FetchRunCrashTests {
    static let feeds = 320
    static let itemsPerFeed = 10

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

    /// Items stored so far (0 before the database exists); read-only, beside the running writer (WAL).
    static func itemCount(_ db: String) throws -> Int64 {
        guard FileManager.default.fileExists(atPath: db) else { return 0 }
        // A run killed while it created the file can leave a journal only a writer may roll back: nothing stored.
        guard let database = try? Database(path: db, readOnly: true) else { return 0 }
        // A run killed before it created the schema leaves a database without tables: nothing stored yet.
        guard try database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'items'") == 1 else { return 0 }
        return try database.scalarInt("SELECT count(*) FROM items") ?? 0
    }

    /// Synchronous on purpose: the kill timing must not wait for a cooperative thread that other tests block.
    @Test(.timeLimit(.minutes(1)))
    func killedRunsLoseAndDuplicateNothing() throws {
        let server = try FetchServer.start()
        let run = uniqueKey("crash")
        var toml = "[settings]\nconcurrency = 16\nper_host = 16\n"
        for index in 0..<Self.feeds {
            toml +=
                "\n[[feeds]]\nname = \"f\(index)\"\nurl = \"\(server.url("/items/\(run)-\(index)?n=\(Self.itemsPerFeed)"))\"\n"
        }
        let box = try FetchSandbox(toml)
        var rng = SystemRandomNumberGenerator()
        var kills = 0
        var killsAfterACommit = 0
        for attempt in 0..<6 {
            let before = try Self.itemCount(box.db)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["--config", box.config, "--db", box.db, "--quiet", "fetch"]
            // Transactions of 1,000 items: this small run commits several times, so kills land between commits.
            process.environment = ProcessInfo.processInfo.environment.merging(["AGGREGATOR_WRITER_BATCH": "1000"]) { $1 }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if attempt == 0 {
                // In the transfers, before anything is written.
                Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.3, using: &rng))
            } else {
                // Once this run has committed something, at a random point of the writes that follow.
                let deadline = Date().addingTimeInterval(20)
                while process.isRunning, Date() < deadline, try Self.itemCount(box.db) <= before {
                    Thread.sleep(forTimeInterval: 0.02)
                }
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.2, using: &rng))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
                if try Self.itemCount(box.db) > before { killsAfterACommit += 1 }
            }
            process.waitUntilExit()
            #expect(try Self.validatorsAheadOfItems(box.db) == [], "after kill \(attempt)")
        }
        #expect(
            kills >= 2 && killsAfterACommit >= 1,
            "runs were killed mid-way (\(kills), \(killsAfterACommit) after a commit)")

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
        #expect(
            try store.db.scalarInt("SELECT count(*) FROM feeds WHERE etag IS NULL OR last_status NOT IN (200, 304)")
                == 0)
    }
}
