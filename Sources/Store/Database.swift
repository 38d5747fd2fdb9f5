import CSQLite
public import Foundation

/// A failed SQLite call: the result code, SQLite's own message, and what we were doing.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String

    public init(code: Int32, message: String, context: String) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String {
        code == 0 ? "\(context): \(message)" : "\(context): \(message) (sqlite code \(code))"
    }

    /// True when the database is locked by another connection beyond the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Conversions for binding Swift values as statement parameters.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
extension Array: SQLBindable where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }

/// One SQLite connection. Not `Sendable`: one owner, one thread at a time.
public final class Database {
    private var handle: OpaquePointer?
    private var cache: [String: Statement] = [:]
    /// Inside `batch`: transactions join the batch's transaction.
    /// Runs inside every outermost transaction just before it commits (the Store writes deferred rows here).
    var beforeCommit: (() throws -> Void)?
    /// Runs after a transaction was rolled back (the Store drops what it deferred).
    var afterRollback: (() -> Void)?
    /// Runs after an outermost transaction committed.
    var afterCommit: (() -> Void)?
    private var batchDepth = 0
    private var batchFailed = false
    public let path: String

    /// Opens (creating if needed) the database at `path` with WAL, foreign keys and a busy timeout.
    /// - Throws: `StoreError` when the file cannot be opened or is not an SQLite database.
    /// Library settings made once, before the first connection (see `csqlite_disable_memstatus`).
    static let configured: Bool = {
        // SQLITE_MISUSE when the library was initialized already (by another user in the process): then it keeps
        // its statistics, and nothing else changes.
        csqlite_disable_memstatus() == SQLITE_OK
    }()

    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000) throws(StoreError) {
        _ = Self.configured
        self.path = path
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        handle = db
        if rc != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            throw StoreError(code: rc, message: message, context: "cannot open database \(path)")
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        do {
            // The first read of the schema tells us whether this is a database at all.
            _ = try scalarInt("PRAGMA schema_version")
        } catch {
            throw StoreError(
                code: error.code, message: error.code & 0xff == SQLITE_NOTADB ? "file is not an SQLite database" : error.message,
                context: "cannot open database \(path)")
        }
        try execute("PRAGMA foreign_keys = ON")
        if !readOnly {
            // A new file gets 16 KB pages (before WAL mode fixes the size): a 2-6 KB article fits in its row's page
            // instead of an overflow chain, and the b-trees are shallower (measured in C on SQLite 3.40, 100k
            // items' index keys: 1.7 us per random insert instead of 2.5). Existing files keep their size.
            if try scalarInt("SELECT count(*) FROM sqlite_master") == 0 {
                try execute("PRAGMA page_size = 16384")
            }
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
        // The 2 MB default page cache thrashes once the item, band-key and FTS indexes outgrow it: a cold
        // 100-feed run did 500k page reads and writes. 64 MB (negative = KiB) keeps a season of items hot.
        try execute("PRAGMA cache_size = -65536")
        // Sorts and the IN-lists of candidate lookups build temporary b-trees: keep them in memory.
        try execute("PRAGMA temp_store = MEMORY")
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Turns a result code into a thrown `StoreError` carrying SQLite's message and the context.
    @discardableResult
    func check(_ rc: Int32, _ context: @autoclosure () -> String) throws(StoreError) -> Int32 {
        switch rc {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return rc
        default:
            throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context())
        }
    }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let t0 = SQLProfile.enabled ? DispatchTime.now().uptimeNanoseconds : 0
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if SQLProfile.enabled { SQLProfile.add(sql, DispatchTime.now().uptimeNanoseconds - t0) }
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw StoreError(code: rc, message: message, context: "sql: \(sql.prefix(80))")
        }
    }

    /// A prepared statement, cached per SQL text for the life of the connection.
    public func statement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        var stmt: OpaquePointer?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil), "prepare: \(sql.prefix(80))")
        guard let stmt else { throw StoreError(code: 0, message: "empty statement", context: "prepare: \(sql.prefix(80))") }
        let statement = Statement(stmt: stmt, database: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs a statement with parameters, discarding results.
    public func run(_ sql: String, _ arguments: any SQLBindable...) throws(StoreError) {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        while try stmt.step() {}
    }

    /// All rows of a query.
    public func query(_ sql: String, _ arguments: any SQLBindable...) throws(StoreError) -> [Row] {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        var rows: [Row] = []
        while try stmt.step() { rows.append(stmt.row()) }
        return rows
    }

    /// Calls `body` for each row without collecting them.
    public func forEach(_ sql: String, _ arguments: [any SQLBindable], _ body: (Statement) throws -> Void) throws {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        while try stmt.step() { try body(stmt) }
    }

    /// Runs a statement of two integer parameters once per pair (bulk index writes: one statement lookup and
    /// no boxing per row).
    public func run(_ sql: String, pairs: [(Int64, Int64)]) throws(StoreError) {
        let stmt = try statement(sql)
        for (first, second) in pairs {
            try stmt.bindIntegers(first, second)
            while try stmt.step() {}
        }
    }

    /// Inserts integer triples with `head` ("INSERT … (a, b, c) VALUES"), `rowsPerStatement` rows per statement
    /// (one step binds many rows: the per-statement cost of a row-at-a-time insert was a third of its time).
    public func insert(_ head: String, triples: [(Int64, Int64, Int64)], rowsPerStatement: Int = 64) throws(StoreError) {
        var start = 0
        if triples.count >= rowsPerStatement {
            let many = try statement(head + " " + Array(repeating: "(?,?,?)", count: rowsPerStatement).joined(separator: ","))
            while start + rowsPerStatement <= triples.count {
                var index: Int32 = 1
                for (first, second, third) in triples[start..<start + rowsPerStatement] {
                    try many.bindInteger(first, at: index)
                    try many.bindInteger(second, at: index + 1)
                    try many.bindInteger(third, at: index + 2)
                    index += 3
                }
                while try many.step() {}
                start += rowsPerStatement
            }
        }
        guard start < triples.count else { return }
        let one = try statement(head + " (?,?,?)")
        for (first, second, third) in triples[start...] {
            try one.bindIntegers(first, second, third)
            while try one.step() {}
        }
    }

    /// Runs a query of two integer parameters (`first`, then each key; and `third` when given) and hands `body`
    /// the first column of each row.
    public func integers(
        _ sql: String, first: Int64, forEach keys: [Int64], third: Int64? = nil, _ body: (Int64) -> Void
    ) throws(StoreError) {
        let stmt = try statement(sql)
        for key in keys {
            try stmt.bindIntegers(first, key, third)
            while try stmt.step() { body(stmt.int64(0)) }
        }
    }

    /// Runs a query of three (or four) integer parameters once and hands `body` the first column of each row.
    public func integers(
        _ sql: String, first: Int64, second: Int64, limit third: Int64, fourth: Int64? = nil, _ body: (Int64) -> Void
    ) throws(StoreError) {
        let stmt = try statement(sql)
        try stmt.bindIntegers(first, second, third, fourth)
        while try stmt.step() { body(stmt.int64(0)) }
    }

    /// Runs a query of one integer parameter once per key and hands `body` the first column (an integer) of
    /// each row. For index lookups: one statement lookup and no boxing per key.
    public func integers(_ sql: String, forEach keys: [Int64], _ body: (Int64) -> Void) throws(StoreError) {
        let stmt = try statement(sql)
        for key in keys {
            try stmt.bindIntegers(key, nil)
            while try stmt.step() { body(stmt.int64(0)) }
        }
    }

    /// Runs a query without parameters and hands `body` the first column (an integer) of each row.
    public func integers(_ sql: String, _ body: (Int64) -> Void) throws(StoreError) {
        let stmt = try statement(sql)
        while try stmt.step() { body(stmt.int64(0)) }
    }

    /// The first column of the first row as an integer (nil when there is no row or it is NULL).
    public func scalarInt(_ sql: String, _ arguments: any SQLBindable...) throws(StoreError) -> Int64? {
        let stmt = try statement(sql)
        try stmt.bind(arguments)
        guard try stmt.step() else { return nil }
        let value = stmt.int64OrNil(0)
        stmt.reset()
        return value
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws. Inside `batch` it runs
    /// in the batch's transaction instead, and a throw rolls back the whole batch.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if batchDepth > 0 {
            do {
                return try body()
            } catch {
                batchFailed = true  // even when the caller catches it: the partial write must not be committed
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try beforeCommit?()
            try execute("COMMIT")
            afterCommit?()
            return result
        } catch {
            try? execute("ROLLBACK")
            afterRollback?()
            throw error
        }
    }

    /// Runs `body`, and every `transaction` it makes, in ONE transaction: a writer storing many small commits
    /// writes each hot page once per batch instead of once per commit. All or nothing: when any of the
    /// transactions inside throws, the whole batch is rolled back. (Savepoints per inner transaction would keep
    /// the others, but copying each page they touch into the statement journal cost more than batching saved.)
    public func batch<T>(_ body: () throws -> T) throws -> T {
        if batchDepth > 0 { return try body() }
        return try transaction {
            batchDepth = 1
            batchFailed = false
            defer { batchDepth = 0 }
            let result = try body()
            if batchFailed {
                throw StoreError(code: 0, message: "a transaction inside the batch failed", context: "batch rolled back")
            }
            return result
        }
    }

    /// Copies this database to `path` with SQLite's online backup API (consistent while others read or write).
    public func backup(to destination: String) throws(StoreError) {
        var target: OpaquePointer?
        let rc = sqlite3_open_v2(destination, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        defer { sqlite3_close_v2(target) }
        guard rc == SQLITE_OK, let target else {
            throw StoreError(code: rc, message: "cannot create file", context: "backup to \(destination)")
        }
        guard let backup = sqlite3_backup_init(target, "main", handle, "main") else {
            throw StoreError(
                code: sqlite3_errcode(target), message: String(cString: sqlite3_errmsg(target)),
                context: "backup to \(destination)")
        }
        var step: Int32
        repeat {
            step = sqlite3_backup_step(backup, 256)
            if step == SQLITE_BUSY || step == SQLITE_LOCKED { sqlite3_sleep(20) }
        } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        if step != SQLITE_DONE || finish != SQLITE_OK {
            throw StoreError(
                code: finish, message: String(cString: sqlite3_errmsg(target)), context: "backup to \(destination)")
        }
    }
}

/// A row read out of a statement, by column index.
public struct Row: Sendable {
    public var values: [SQLValue]

    public func int(_ i: Int) -> Int64 {
        if case .integer(let v) = values[i] { return v }
        if case .real(let v) = values[i] { return Int64(v) }
        return 0
    }
    public func intOrNil(_ i: Int) -> Int64? {
        if case .null = values[i] { return nil }
        return int(i)
    }
    public func double(_ i: Int) -> Double {
        switch values[i] {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return 0
        }
    }
    public func doubleOrNil(_ i: Int) -> Double? {
        if case .null = values[i] { return nil }
        return double(i)
    }
    public func text(_ i: Int) -> String { textOrNil(i) ?? "" }
    public func textOrNil(_ i: Int) -> String? {
        switch values[i] {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        default: return nil
        }
    }
    public func blob(_ i: Int) -> [UInt8] {
        switch values[i] {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return []
        }
    }
}

/// A prepared statement owned by its connection's cache; finalized in `deinit`.
public final class Statement {
    private let stmt: OpaquePointer
    private unowned let database: Database
    let sql: String

    init(stmt: OpaquePointer, database: Database, sql: String) {
        self.stmt = stmt
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func bind(_ arguments: [any SQLBindable]) throws(StoreError) {
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch argument.sqlValue {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .text(let s): rc = sqlite3_bind_text(stmt, index, s, -1, csqlite_transient())
            case .blob(let b):
                rc = b.withUnsafeBytes { raw in
                    sqlite3_bind_blob(stmt, index, raw.baseAddress, Int32(raw.count), csqlite_transient())
                }
            }
            try database.check(rc, "bind parameter \(index) of: \(sql.prefix(80))")
        }
    }

    func bindInteger(_ value: Int64, at index: Int32) throws(StoreError) {
        try database.check(sqlite3_bind_int64(stmt, index, value), "bind parameter \(index) of: \(sql.prefix(80))")
    }

    func bindIntegers(_ first: Int64, _ second: Int64?, _ third: Int64? = nil, _ fourth: Int64? = nil) throws(StoreError) {
        try database.check(sqlite3_bind_int64(stmt, 1, first), "bind parameter 1 of: \(sql.prefix(80))")
        if let second {
            try database.check(sqlite3_bind_int64(stmt, 2, second), "bind parameter 2 of: \(sql.prefix(80))")
        }
        if let third {
            try database.check(sqlite3_bind_int64(stmt, 3, third), "bind parameter 3 of: \(sql.prefix(80))")
        }
        if let fourth {
            try database.check(sqlite3_bind_int64(stmt, 4, fourth), "bind parameter 4 of: \(sql.prefix(80))")
        }
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    /// Advances; true when a row is available.
    func step() throws(StoreError) -> Bool {
        let rc: Int32
        if SQLProfile.enabled {
            let t0 = DispatchTime.now().uptimeNanoseconds
            rc = sqlite3_step(stmt)
            SQLProfile.add(sql, DispatchTime.now().uptimeNanoseconds - t0)
        } else {
            rc = sqlite3_step(stmt)
        }
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE {
            sqlite3_reset(stmt)
            return false
        }
        sqlite3_reset(stmt)
        try database.check(rc, "step: \(sql.prefix(80))")
        return false
    }

    public func int64OrNil(_ column: Int32) -> Int64? {
        sqlite3_column_type(stmt, column) == SQLITE_NULL ? nil : sqlite3_column_int64(stmt, column)
    }

    public func row() -> Row {
        let count = sqlite3_column_count(stmt)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(stmt, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(stmt, column)))
            case SQLITE_TEXT:
                if let text = sqlite3_column_text(stmt, column) {
                    values.append(.text(String(cString: text)))
                } else {
                    values.append(.null)
                }
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(stmt, column))
                if let pointer = sqlite3_column_blob(stmt, column), count > 0 {
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: count))))
                } else {
                    values.append(.blob([]))
                }
            default: values.append(.null)
            }
        }
        return Row(values: values)
    }
}

/// Time spent in `sqlite3_step` per statement, printed on stderr at exit when `AGGREGATOR_PROFILE_SQL` is set:
/// a developer's tool for finding what the writer spends its time on (`AGGREGATOR_PROFILE_SQL=1 aggregator fetch`).
enum SQLProfile {
    static let enabled = ProcessInfo.processInfo.environment["AGGREGATOR_PROFILE_SQL"] != nil
    nonisolated(unsafe) private static var totals: [String: (nanoseconds: UInt64, steps: Int)] = [:]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered = false

    static func add(_ sql: String, _ nanoseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        if !registered {
            registered = true
            atexit { SQLProfile.report() }
        }
        totals[sql, default: (0, 0)].nanoseconds += nanoseconds
        totals[sql, default: (0, 0)].steps += 1
    }

    static func report() {
        lock.lock()
        defer { lock.unlock() }
        var out = "sql profile (sqlite3_step time per statement):\n"
        for (sql, total) in totals.sorted(by: { $0.value.nanoseconds > $1.value.nanoseconds }).prefix(25) {
            let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            out += String(format: "%9.3f s %9d steps  ", Double(total.nanoseconds) / 1e9, total.steps) + flat.prefix(110) + "\n"
        }
        FileHandle.standardError.write(Data(out.utf8))
    }
}
