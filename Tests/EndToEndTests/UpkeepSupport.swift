import Foundation
import Testing

/// A static HTTP server on 127.0.0.1 (Python's http.server, as Tests/FetchTests does) serving one folder.
/// It exits when its stdin closes, that is when the test process ends, however it ends.
final class UpkeepServer: @unchecked Sendable {
    struct StartError: Error, CustomStringConvertible { var description: String }

    let port: Int
    let root: URL
    private let process = Process()
    private let stdin = Pipe()

    static let script = """
        import functools, http.server, sys, threading
        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                '.rss': 'application/rss+xml', '.atom': 'application/atom+xml', '.html': 'text/html; charset=utf-8'}
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=sys.argv[1]))
        print('PORT', server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        """

    init(serving root: URL) throws {
        self.root = root
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, root.path]
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            throw StartError(description: "test server did not report its port: \(text)")
        }
        self.port = port
    }

    deinit {
        process.terminate()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func write(_ text: String, to path: String) throws {
        let file = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }
}

enum Upkeep {
    /// Runs the binary with stdin closed (never a terminal), so prompts must not wait for an answer.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> CLI.Result {
        try CLI.run(arguments, in: directory)
    }

    /// An RSS 2.0 feed with `count` distinct items.
    static func rss(title: String, prefix: String, count: Int, link: String = "https://portal.example/") -> String {
        let words = [
            "banjir", "gempa", "harga", "pasar", "sekolah", "jalan", "pelabuhan", "panen", "listrik", "kereta",
            "bandara", "rumah", "sakit", "pemilu", "festival", "nelayan", "kopi", "hutan", "sungai", "pantai",
        ]
        var out =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>\(title)</title><link>\(link)</link>\n"
        for index in 0..<count {
            var generator = SplitMix(
                seed: UInt64(index + 1) &* 0x9E37_79B9 &+ prefix.utf8.reduce(UInt64(7)) { $0 &* 31 &+ UInt64($1) })
            let body = (0..<60).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ")
            out +=
                "<item><title>\(prefix) \(index) \(words[index % words.count])</title><link>\(link)\(prefix)/\(index)</link>"
            out += "<guid>\(prefix)-\(index)</guid><description>\(prefix) \(index) \(body)</description>"
            out += "<pubDate>Fri, 08 Aug 2025 10:\(String(format: "%02d", index % 60)):00 +0700</pubDate></item>\n"
        }
        return out + "</channel></rss>\n"
    }
}

/// A tiny deterministic generator for test text.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
