import Foundation

@testable import Store

/// A database file as an older aggregator left it: the first `schema` migrations applied and recorded, then
/// `fill` writes its rows (on a connection closed before the caller opens it as a `Store`, which upgrades it).
/// - Returns: the file's path (in the temporary directory).
func oldSchemaDatabase(schema: Int, fill: (Database) throws -> Void) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("v\(schema)-\(UUID().uuidString).sqlite").path
    Store.registerSearchFunction()
    let old = try Database(path: path)
    try old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
    for migration in migrations.prefix(schema) {
        try old.execute(migration.sql)
        try old.run("INSERT INTO schema_migrations VALUES (?, ?, 0)", migration.version, migration.name)
    }
    try old.execute("PRAGMA application_id = \(applicationID)")
    try fill(old)
    return path
}
