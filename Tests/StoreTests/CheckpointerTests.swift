import Foundation
import Testing

@testable import Store

@Suite struct CheckpointerTests {
    @Test func copiesTheLogWhileTheWriterOnlyAppendsToIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try Store(path: path)
        let checkpointer = try #require(Checkpointer(store: store))
        #expect(try store.db.scalarInt("PRAGMA wal_autocheckpoint") == 0)
        let text = String(repeating: "banjir merendam desa ", count: 200)
        try store.db.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT)")
        for batch in 0..<5 {
            try store.db.transaction {
                for i in 0..<400 { try store.db.run("INSERT INTO scratch (id, body) VALUES (?, ?)", batch * 400 + i, text) }
            }
            checkpointer.committed()
        }
        checkpointer.stop()
        // ~8 MB went into the log and the writer copied none of it: the database file holds it because the
        // checkpointer copied it.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 8_000_000)
        #expect(try store.db.scalarInt("PRAGMA wal_autocheckpoint") == 1000)
        #expect(try store.db.scalarInt("SELECT count(*) FROM scratch") == 2000)
    }
}
