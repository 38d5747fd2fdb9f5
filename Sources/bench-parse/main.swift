// Benchmark driver for the feed parser (see Scripts/bench-parse).
//   bench-parse sax|sax-lifted|ours [--jobs N] FILE...   parse every file, print bytes, CPU and wall seconds
//                                             (sax-lifted: the floor given CDATA sections as ours lifts them)
//   bench-parse json FILE [URL]               print our JSON for one file (debugging, conformance)
//   bench-parse same FILE...                  check that lifting CDATA sections changes no result
import Feeds
import Foundation

/// User and system CPU seconds of the process so far.
func cpuTimes() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
}

func readFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

final class Totals: @unchecked Sendable {
    let lock = NSLock()
    var bytes = 0
    var items = 0
    var failures = 0
    func add(bytes b: Int, items i: Int, failed: Bool) {
        lock.lock()
        bytes += b
        items += i
        if failed { failures += 1 }
        lock.unlock()
    }
}

var args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first else {
    FileHandle.standardError.write(Data("usage: bench-parse sax|ours|json [--jobs N] FILE...\n".utf8))
    exit(2)
}
args.removeFirst()
var jobs = 1
if args.first == "--jobs", args.count >= 2 {
    jobs = max(1, Int(args[1]) ?? 1)
    args.removeFirst(2)
}

if mode == "json" {
    guard let path = args.first, let bytes = readFile(path) else { exit(2) }
    do {
        let parsed = try FeedParser.parse(bytes, url: args.count > 1 ? args[1] : URL(fileURLWithPath: path).absoluteString)
        for w in parsed.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        FileHandle.standardOutput.write(Data(parsed.feed.jsonData(pretty: true) + [0x0A]))
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

if mode == "same" {
    // Every file parsed twice, with CDATA sections lifted out of libxml2's way and without: the JSON, warnings
    // and errors must be the same.
    var differ = 0
    for path in args {
        guard let bytes = readFile(path) else { continue }
        func outcome(_ lifts: Bool) -> String {
            FeedParser.outcome(bytes, url: "https://example.com/feed.xml", options: ParseOptions(liftsCDATA: lifts))
        }
        if outcome(true) != outcome(false) {
            differ += 1
            print("differs: \(path)")
        }
    }
    print("same files=\(args.count) differ=\(differ)")
    exit(differ == 0 ? 0 : 1)
}

let files = args
let totals = Totals()
let wallStart = Date()
let cpuStart = cpuTimes()
let next = Totals()  // reused as a shared counter: `bytes` is the next file index
DispatchQueue.concurrentPerform(iterations: jobs) { _ in
    while true {
        next.lock.lock()
        let k = next.bytes
        next.bytes += 1
        next.lock.unlock()
        guard k < files.count, let bytes = readFile(files[k]) else { return }
        if mode == "sax" || mode == "sax-lifted" {
            let n = BareSAX.parse(bytes, liftingCDATA: mode == "sax-lifted")
            totals.add(bytes: bytes.count, items: n, failed: false)
        } else {
            do {
                let p = try FeedParser.parse(bytes, url: "https://example.com/feed/\(k)")
                totals.add(bytes: bytes.count, items: p.feed.items.count, failed: false)
            } catch {
                totals.add(bytes: bytes.count, items: 0, failed: true)
            }
        }
    }
}
let cpuEnd = cpuTimes()
let user = cpuEnd.user - cpuStart.user
let system = cpuEnd.system - cpuStart.system
let cpu = user + system
let wall = Date().timeIntervalSince(wallStart)
let mb = Double(totals.bytes) / 1_048_576
// CPU time is user + system; the split is printed too, since the system part (page faults of buffers the
// allocator maps and unmaps) depends on the allocation pattern more than on the parsing.
print(String(format: "%@ jobs=%d files=%d MiB=%.1f items=%d failed=%d cpu_s=%.3f user_s=%.3f sys_s=%.3f wall_s=%.3f MiB_per_cpu_s=%.1f MiB_per_user_s=%.1f MiB_per_wall_s=%.1f",
             mode, jobs, files.count, mb, totals.items, totals.failures, cpu, user, system, wall, mb / cpu, mb / user, mb / wall))
