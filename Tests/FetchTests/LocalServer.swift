import Foundation

/// A test server script from Server/, one per test process, on 127.0.0.1 and a free port.
/// It prints "PORT <n> [detail]" once listening, and exits by itself when its stdin closes, that is when the
/// test process ends, however it ends.
final class LocalServer: @unchecked Sendable {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    /// What the script printed after the port (the h2 server's certificate path).
    let detail: String
    private let process: Process
    private let stdin: Pipe

    /// server.py: plain HTTP/1.1, one route per misbehaviour.
    static let shared: Result<LocalServer, StartError> = Result { () throws(StartError) in
        try LocalServer(script: "server.py")
    }
    /// h2server.py: HTTPS offering HTTP/2, when hypercorn is installed.
    static let sharedH2: Result<LocalServer, StartError> = Result { () throws(StartError) in
        try LocalServer(script: "h2server.py")
    }
    static let hasHypercorn: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hypercorn"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static func start() throws -> LocalServer { try shared.get() }

    private init(script name: String) throws(StartError) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Server").appendingPathComponent(name)
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
        let fields = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: " ", maxSplits: 2).map(String.init)
        guard fields.count >= 2, fields[0] == "PORT", let port = Int(fields[1]) else {
            throw StartError(description: "\(name) did not report its port: \(fields.joined(separator: " "))")
        }
        self.port = port
        detail = fields.count > 2 ? fields[2] : ""
    }

    deinit {
        process.terminate()
    }

    func url(_ path: String, host: String = "127.0.0.1") -> String { "http://\(host):\(port)\(path)" }
}
