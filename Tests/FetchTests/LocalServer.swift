import Foundation

/// The test HTTP server (Server/server.py), one per test process, on 127.0.0.1 and a free port.
/// It exits by itself when its stdin closes, that is when the test process ends, however it ends.
final class LocalServer: @unchecked Sendable {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let process: Process
    private let stdin: Pipe

    static let shared: Result<LocalServer, StartError> = Result { () throws(StartError) in try LocalServer() }

    static func start() throws -> LocalServer { try shared.get() }

    private init() throws(StartError) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Server/server.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        stdin = Pipe()
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
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            throw StartError(description: "test server did not report its port: \(text)")
        }
        self.port = port
    }

    deinit {
        process.terminate()
    }

    func url(_ path: String, host: String = "127.0.0.1") -> String { "http://\(host):\(port)\(path)" }
}
