// bench-fetch: times the Fetcher alone (no parsing, no storing) against Scripts/bench-fetch-server.py.
// Usage: bench-fetch URLS_FILE [--concurrency 16] [--per-host 4] [--rounds 2]
// Round 1 sends no validators (cold); later rounds send the ETag/Last-Modified each feed returned (warm).
import Fetch
import Foundation

struct Arguments {
    var urlsFile = ""
    var concurrency = 16
    var perHost = 4
    var rounds = 2

    init(_ args: [String]) throws {
        var rest = args[...]
        while let arg = rest.popFirst() {
            switch arg {
            case "--concurrency": concurrency = try Self.int(rest.popFirst(), arg)
            case "--per-host": perHost = try Self.int(rest.popFirst(), arg)
            case "--rounds": rounds = try Self.int(rest.popFirst(), arg)
            default: urlsFile = arg
            }
        }
        if urlsFile.isEmpty {
            throw UsageError(message: "usage: bench-fetch URLS_FILE [--concurrency N] [--per-host N] [--rounds N]")
        }
    }

    static func int(_ value: String?, _ name: String) throws -> Int {
        guard let value, let n = Int(value) else { throw UsageError(message: "\(name) needs a number") }
        return n
    }
}

struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
        getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    let urls = try String(contentsOfFile: arguments.urlsFile, encoding: .utf8)
        .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    var validators: [Int: (etag: String?, lastModified: String?)] = [:]
    let fetcher = Fetcher(options: FetcherOptions(concurrency: arguments.concurrency, perHost: arguments.perHost))
    print("feeds=\(urls.count) concurrency=\(arguments.concurrency) per-host=\(arguments.perHost)")
    for round in 1...max(1, arguments.rounds) {
        let requests = urls.enumerated().map { index, url in
            FetchRequest(
                id: index, url: url, etag: validators[index]?.etag, lastModified: validators[index]?.lastModified)
        }
        let cpuStart = cpuSeconds()
        let start = ContinuousClock.now
        var statuses: [Int: Int] = [:]
        var errors: [String: Int] = [:]
        var bytes = 0
        var slowest = 0.0
        var total = 0.0
        for await result in fetcher.fetch(requests) {
            slowest = max(slowest, result.seconds)
            total += result.seconds
            switch result.outcome {
            case .success(let response):
                statuses[response.status, default: 0] += 1
                bytes += response.body.count
                if response.status == 200 {
                    validators[result.request.id] = (response.etag, response.lastModified)
                }
            case .failure(let error):
                errors[error.reason, default: 0] += 1
            }
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let statusText = statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        print(
            "round \(round) (\(round == 1 ? "cold" : "warm")): wall \(String(format: "%.2f", wall)) s, "
                + "cpu \(String(format: "%.2f", cpuSeconds() - cpuStart)) s, statuses [\(statusText)], "
                + "errors \(errors.values.reduce(0, +)), decoded \(bytes / 1024) KiB, "
                + "mean transfer \(String(format: "%.4f", total / Double(max(1, requests.count)))) s, "
                + "slowest \(String(format: "%.3f", slowest)) s")
        for (reason, count) in errors.sorted(by: { $0.value > $1.value }).prefix(5) { print("  \(count) × \(reason)") }
    }
} catch {
    FileHandle.standardError.write(Data("bench-fetch: \(error)\n".utf8))
    exit(2)
}
