import Foundation
import Store
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Tests/FetchTests/Server/server.py (one route per misbehaviour), started once per test process on 127.0.0.1.
/// It exits by itself when its stdin closes, that is when the test process ends, however it ends.
final class FetchServer: @unchecked Sendable {
    struct StartError: Error, CustomStringConvertible { var description: String }

    let port: Int
    private let process = Process()
    private let stdin = Pipe()

    static let shared: Result<FetchServer, StartError> = Result { () throws(StartError) in try FetchServer() }
    static func start() throws -> FetchServer { try shared.get() }

    /// A server of one's own (most tests share `shared`): for a test that stops it with `stop()`.
    init() throws(StartError) {
        let script = CLI.root.appendingPathComponent("Tests/FetchTests/Server/server.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        do { try process.run() } catch {
            throw StartError(description: "cannot start python3 \(script.path): \(error)")
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let fields = String(decoding: line, as: UTF8.self).split(separator: " ").map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard fields.count >= 2, fields[0] == "PORT", let port = Int(fields[1]) else {
            throw StartError(description: "server.py did not report its port: \(fields.joined(separator: " "))")
        }
        self.port = port
    }

    deinit { process.terminate() }

    /// Stops the server and waits until it is gone: its port refuses connections from then on.
    /// (SIGTERM would not do: the test process's blocked signals are inherited, so the script exits on end of input.)
    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// What /items/<key> saw: requests, 304s sent, and each request's If-None-Match / If-Modified-Since.
    struct Hits: Decodable {
        var count: Int
        var not_modified: Int
        var inm: [String?]
        var ims: [String?]
    }

    func hits(_ key: String) async throws -> Hits {
        let url = try #require(URL(string: url("/hits/\(key)")))
        let (data, _) = try await URLSession.shared.data(from: url)
        return try JSONDecoder().decode(Hits.self, from: data)
    }

    /// Makes /items/<key> serve as if `query` (`ttl=60&n=2`; `ttl=` removes it) were in its URL from now on.
    func set(_ key: String, _ query: String) async throws {
        let url = try #require(URL(string: url("/set/\(key)?\(query)")))
        _ = try await URLSession.shared.data(from: url)
    }

    /// How many requests /probe/<key> has received so far.
    func probeCount(_ key: String) async throws -> Int {
        struct Stats: Decodable { var count: Int }
        let url = try #require(URL(string: url("/stats/\(key)")))
        let (data, _) = try await URLSession.shared.data(from: url)
        return try JSONDecoder().decode(Stats.self, from: data).count
    }
}

/// One feeds.toml + database in a fresh folder, and the built binary run against them.
struct FetchSandbox {
    let directory: URL
    let config: String
    let db: String

    /// - Parameter toml: the whole feeds.toml (`[settings]` and `[[feeds]]` tables).
    init(_ toml: String) throws {
        directory = try CLI.temporaryDirectory()
        config = directory.appendingPathComponent("feeds.toml").path
        db = directory.appendingPathComponent("news.db").path
        try write(toml)
    }

    func write(_ toml: String) throws { try toml.write(toFile: config, atomically: true, encoding: .utf8) }

    /// `aggregator --config … --db … <arguments>`, stdin closed (never a terminal).
    func run(_ arguments: [String]) throws -> CLI.Result {
        try Upkeep.run(["--config", config, "--db", db] + arguments)
    }

    func fetch(_ arguments: String...) throws -> CLI.Result { try run(["fetch"] + arguments) }

    func feed(_ name: String) throws -> FeedRecord {
        let store = try Store(path: db)
        return try #require(try store.allFeeds().first { $0.name == name }, "no feeds row for \(name)")
    }

    func itemKeys(_ name: String) throws -> [String] {
        let store = try Store(path: db)
        return try store.db.query(
            "SELECT i.guid FROM items i JOIN feeds f ON f.id = i.feed_id WHERE f.name = ? ORDER BY i.id", name
        ).map { $0.text(0) }
    }

    /// Moves one feed's stored timestamp column (`last_unconditional`, …) to `date`, as if time had passed.
    func setTime(_ column: String, of name: String, to date: Date) throws {
        let store = try Store(path: db)
        try store.db.run("UPDATE feeds SET \(column) = ? WHERE name = ?", Int64(date.timeIntervalSince1970), name)
    }

    /// `aggregator feeds --format json`, the row of one feed.
    func feedsJSON(_ name: String) throws -> [String: Any] {
        let result = try run(["feeds", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return try #require(rows.first { $0["name"] as? String == name })
    }
}

/// A key no other test uses, so the server's per-key counters are this test's alone.
func uniqueKey(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

/// Seconds between two optional dates (nil when either is missing).
func secondsBetween(_ a: Date?, _ b: Date?) -> Double? {
    guard let a, let b else { return nil }
    return b.timeIntervalSince(a)
}
