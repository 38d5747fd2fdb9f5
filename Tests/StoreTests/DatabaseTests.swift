import Foundation
import Testing

@testable import Store

@Suite struct DatabaseTests {
    func temporaryPath(_ name: String = "test.sqlite") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func recordsEveryMigrationByName() throws {
        let path = try temporaryPath()
        let store = try Store(path: path)
        let rows = try store.db.query("SELECT version, name FROM schema_migrations ORDER BY version")
        #expect(rows.count == migrations.count)
        #expect(rows.first?.text(1) == "create feeds, items, clusters")
        #expect(try store.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try store.db.query("PRAGMA journal_mode").first?.text(0) == "wal")
        // Opening again applies nothing twice.
        let again = try Store(path: path)
        #expect(try again.db.scalarInt("SELECT count(*) FROM schema_migrations") == Int64(migrations.count))
    }

    @Test func refusesAFileThatIsNotADatabaseAndLeavesItAlone() throws {
        let path = try temporaryPath()
        let garbage = Data("this is a text file, not a database\n".utf8) + Data(repeating: 7, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            "\(error)".contains("file is not an SQLite database")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func refusesADatabaseWrittenByANewerVersion() throws {
        let path = try temporaryPath()
        do {
            let store = try Store(path: path)
            try store.db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)")
        }
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            "\(error)".contains("written by a newer aggregator (schema 999")
        }
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let path = try temporaryPath()
        do {
            let db = try Database(path: path)
            try db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
        }
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            "\(error)".contains("not an aggregator database")
        }
    }

    @Test func rollsBackAFailedTransaction() throws {
        let store = try Store(path: try temporaryPath())
        _ = try store.syncFeeds([("a", "https://example.com/a", nil)])
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.db.transaction {
                try store.db.run("UPDATE feeds SET title = 'changed'")
                throw Boom()
            }
        }
        #expect(try store.allFeeds().first?.title == nil)
    }

    @Test func bindsParametersInsteadOfFormattingSQL() throws {
        let store = try Store(path: try temporaryPath())
        let hostile = "x'); DROP TABLE feeds; --"
        _ = try store.syncFeeds([(hostile, "https://example.com/a", hostile)])
        #expect(try store.allFeeds().map(\.name) == [hostile])
    }

    /// Rows bound many to a statement, with a remainder bound one by one, all land, duplicates ignored.
    @Test(arguments: [0, 1, 63, 64, 65, 200])
    func insertsEveryTripleWhateverTheCount(count: Int) throws {
        let store = try Store(path: try temporaryPath())
        let db = store.db
        try db.execute("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, PRIMARY KEY (a, b, c)) WITHOUT ROWID")
        let rows: [(Int64, Int64, Int64)] = (0..<count).map { n in
            let i = Int64(n)
            return (i % 7, i * 1_000_003, -i)
        }
        try db.transaction {
            let repeated = rows + Array(rows.prefix(5))
            try db.insert("INSERT OR IGNORE INTO t (a, b, c) VALUES", triples: repeated, rowsPerStatement: 16)
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == Int64(count))
        let stored: [[Int64]] = try db.query("SELECT a, b, c FROM t ORDER BY b").map { [$0.int(0), $0.int(1), $0.int(2)] }
        let expected: [[Int64]] = rows.map { [$0.0, $0.1, $0.2] }
        #expect(stored == expected)
    }

    /// SQLite's memory statistics are off (set before the library initializes, at the first connection): with
    /// them, every allocation of every connection takes one process-wide mutex.
    @Test func turnsSQLiteMemoryStatisticsOffBeforeTheFirstConnection() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memstat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Database(path: dir.appendingPathComponent("t.sqlite").path)
        #expect(Database.configured)
    }
}
