import Dedup
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

/// Process CPU time in seconds (user + system, all threads).
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set size in MB.
func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Writes one line to stdout unbuffered (progress shows while the benchmark runs).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

enum Benchmark {
    /// The floor: split ASCII text into lower-cased words, hash each word (FNV-1a + a 64-bit mix) and
    /// every 5-word shingle once (rotate-xor window + mix). Nothing else.
    @inline(never)
    static func floor(_ text: String) -> UInt64 {
        var sink: UInt64 = 0
        var window = [UInt64](repeating: 0, count: 5)
        var filled = 0
        var h: UInt64 = 0
        var w: UInt64 = 0xCBF2_9CE4_8422_2325
        var inWord = false
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
        var text = text
        text.withUTF8 { bytes in
            for b in bytes {
                var c = b
                if c >= 0x41 && c <= 0x5A { c |= 0x20 }
                let isWord = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c >= 0x80
                if isWord {
                    w = (w ^ UInt64(c)) &* 0x0000_0100_0000_01B3
                    inWord = true
                } else if inWord {
                    let t = mix(w)
                    let out = window[filled % 5]
                    window[filled % 5] = t
                    filled += 1
                    h = rotl(h, 1) ^ t ^ (filled > 5 ? rotl(out, 5) : 0)
                    if filled >= 5 { sink ^= mix(h) }
                    w = 0xCBF2_9CE4_8422_2325
                    inWord = false
                }
            }
        }
        return sink
    }

    /// `bench-dedup bench [--items N] [--grow M] [--dump FILE] [--profile] [--rounds R] [--sqlite FILE]
    /// [--grow-sqlite M] [--items-per-day D]` (`--rounds R`: only the floor and the fingerprints, alternated R
    /// times, fastest of each; `--items-per-day`: the rate of the SQLite growth's items, 20,000 by default).
    static func run(_ args: [String]) throws {
        var items = 100_000
        var grow = 0
        var dump: String?
        var profileOnly = false
        var sqlite: String?
        var growSQLite = 0
        var itemsPerDay = 20_000.0
        var rounds = 0
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--items": i += 1; items = Int(args[i]) ?? items
            case "--grow": i += 1; grow = Int(args[i]) ?? 0
            case "--dump": i += 1; dump = args[i]
            case "--profile": profileOnly = true
            case "--sqlite": i += 1; sqlite = args[i]
            case "--grow-sqlite": i += 1; growSQLite = Int(args[i]) ?? 0
            case "--rounds": i += 1; rounds = Int(args[i]) ?? 0
            case "--items-per-day": i += 1; itemsPerDay = Double(args[i]) ?? itemsPerDay
            default: throw BenchError("unknown option \(args[i])")
            }
            i += 1
        }
        var generator = NewsGenerator(seed: 2025)
        var docs: [NewsGenerator.Item] = []
        docs.reserveCapacity(items)
        let g0 = cpuSeconds()
        for _ in 0..<items { docs.append(generator.next()) }
        emit(String(format: "generated in %.1f s CPU", cpuSeconds() - g0))
        let bytes = docs.reduce(0) { $0 + $1.text.utf8.count }
        emit(
            "items: \(items), \(bytes / items) bytes/item average, \(docs.filter { $0.copyOf != nil }.count) planted copies"
        )
        if let dump {
            var out = ""
            for d in docs {
                let object: [String: Any] = ["title": d.title, "text": d.text, "copy_of": d.copyOf ?? -1]
                out += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
            }
            try out.write(toFile: dump, atomically: true, encoding: .utf8)
        }
        func report(_ name: String, _ seconds: Double, floorSeconds: Double?) {
            let rate = Double(items) / seconds
            let ratio = floorSeconds.map { String(format: ", %.2fx floor", seconds / $0) } ?? ""
            emit(
                String(
                    format: "%@: %.2f s CPU, %.0f items/s, %.1f MB/s%@", name, seconds, rate,
                    Double(bytes) / seconds / 1e6, ratio))
        }

        var t0 = cpuSeconds()
        var sink: UInt64 = 0
        for d in docs { sink ^= floor(d.text) }
        let floorTime = cpuSeconds() - t0
        report("(a) floor: tokenize + hash each 5-word shingle", floorTime, floorSeconds: nil)

        var settings = DedupSettings()
        settings.shingleSize = 5
        let dedup = Deduplicator(settings: settings)
        if rounds > 0 {
            // Noise-resistant comparison on a shared machine: alternate one floor pass and one fingerprint
            // pass, keep the fastest of each.
            var bestFloor = Double.infinity
            var bestPrint = Double.infinity
            var bestReference = Double.infinity
            let reference = Verify.GeneralPath(settings: settings)
            var keys = 0
            for round in 0..<rounds {
                if round < 3 {
                    // The general path (normalizer with Strings, as before the single pass), for comparison.
                    t0 = cpuSeconds()
                    for d in docs {
                        keys &+=
                            reference.fingerprint(DedupDocument(feed: "f", title: d.title, text: d.text), boilerplate: nil)
                            .bandKeys.count
                    }
                    bestReference = min(bestReference, cpuSeconds() - t0)
                }
                t0 = cpuSeconds()
                for d in docs { sink ^= floor(d.text) }
                bestFloor = min(bestFloor, cpuSeconds() - t0)
                t0 = cpuSeconds()
                for d in docs {
                    keys &+=
                        dedup.fingerprint(DedupDocument(feed: "f", title: d.title, text: d.text), boilerplate: nil)
                        .bandKeys.count
                }
                bestPrint = min(bestPrint, cpuSeconds() - t0)
            }
            emit(
                String(
                    format: "best of %d rounds: floor %.4f s, fingerprints %.4f s, %.3fx floor (reference code, best of %d: %.4f s, %.3fx floor)",
                    rounds, bestFloor, bestPrint, bestPrint / bestFloor, min(rounds, 3), bestReference,
                    bestReference / bestFloor))
            if sink == 42 || keys == 42 { emit("") }
            return
        }
        if profileOnly {
            // Fingerprints only, five passes (for perf record).
            t0 = cpuSeconds()
            var keys = 0
            for _ in 0..<5 {
                for d in docs {
                    keys &+=
                        dedup.fingerprint(DedupDocument(feed: "f", title: d.title, text: d.text), boilerplate: nil)
                        .bandKeys.count
                }
            }
            report("fingerprints x5", (cpuSeconds() - t0) / 5, floorSeconds: floorTime)
            return
        }
        t0 = cpuSeconds()
        // Each fingerprint is used (its keys counted) and let go, as the floor's hashes are: keeping 100,000 of
        // them alive would time the allocator and page faults, not the computation.
        var keyCount = 0
        for d in docs {
            keyCount &+= dedup.fingerprint(DedupDocument(feed: "f", title: d.title, text: d.text), boilerplate: nil)
                .bandKeys.count
        }
        report("(b) fingerprints: normalize + shingles + signature + keys", cpuSeconds() - t0, floorSeconds: floorTime)

        t0 = cpuSeconds()
        var index = MemoryIndex()
        for (n, d) in docs.enumerated() {
            let doc = DedupDocument(feed: "f\(n % 40)", title: d.title, text: d.text, published: d.published)
            _ = index.add(
                doc, fingerprint: dedup.fingerprint(doc, boilerplate: nil), deduplicator: dedup, allKeys: true)
        }
        report("(c) full path, in-memory index (no SQLite)", cpuSeconds() - t0, floorSeconds: floorTime)
        var found = 0
        var copies = 0
        var wrong = 0
        for (n, d) in docs.enumerated() {
            if let source = d.copyOf {
                copies += 1
                if index.cluster[n] == index.cluster[source] { found += 1 }
            }
        }
        var sizes: [Int64: Int] = [:]
        for c in index.cluster { sizes[c, default: 0] += 1 }
        var expected: [Int: Int] = [:]
        for (n, d) in docs.enumerated() { expected[d.copyOf ?? n, default: 0] += 1 }
        wrong = sizes.count - expected.count
        emit(
            "    planted copies found: \(found)/\(copies); clusters \(sizes.count) (expected \(expected.count), difference \(wrong)); candidates verified \(index.candidateCount)"
        )
        emit(String(format: "    peak memory: %.0f MB", peakMemoryMB()))
        if let sqlite {
            let (store, records) = try StoreBenchmark.open(sqlite)
            let result = try StoreBenchmark.run(docs[...], first: 0, store: store, records: records, dedup: dedup)
            report("(c) full path with SQLite, both cores (CPU of the whole process)", result.cpuSeconds, floorSeconds: floorTime)
            emit(
                String(
                    format: "    wall %.2f s = %.0f items/s on this machine; writer thread %.2f s CPU (%.1f us/item); database %.0f MB",
                    result.wallSeconds, Double(items) / result.wallSeconds, result.writerCPUSeconds,
                    result.writerCPUSeconds / Double(items) * 1e6, Double(store.fileBytes()) / 1e6))
            let clusters = try store.db.scalarInt("SELECT count(*) FROM clusters") ?? 0
            var together = 0
            let ids = try store.db.query("SELECT item_key, cluster_id FROM items")
            var clusterOf: [Int: Int64] = [:]
            for row in ids {
                if let n = Int(row.text(0).split(separator: "/").last ?? "") { clusterOf[n] = row.int(1) }
            }
            for (n, d) in docs.enumerated() {
                if let source = d.copyOf, clusterOf[n] != nil, clusterOf[n] == clusterOf[source] { together += 1 }
            }
            emit("    planted copies found: \(together)/\(copies); clusters \(clusters) (expected \(expected.count))")
            emit(String(format: "    peak memory: %.0f MB", peakMemoryMB()))
        }
        if sink == 42 || keyCount == 42 { emit("") }

        if grow > 0 { try growth(grow, dedup: dedup) }
        if growSQLite > 0, let sqlite {
            emit("(c) cost per new item as history grows, through SQLite (pipelined as above):")
            try StoreBenchmark.growth(growSQLite, itemsPerDay: itemsPerDay, dedup: dedup, path: sqlite + "-growth")
        }
    }

    /// Cost per new item as the history grows: CPU time per item of each 10,000-item stretch.
    static func growth(_ total: Int, dedup: Deduplicator) throws {
        var generator = NewsGenerator(seed: 99)
        var index = MemoryIndex()
        let stretch = 10_000
        var spent = 0.0
        let marks: Set<Int> = [10_000, 100_000, 1_000_000, total]
        var n = 0
        while n < total {
            var batch: [NewsGenerator.Item] = []
            for _ in 0..<stretch { batch.append(generator.next()) }
            let t0 = cpuSeconds()
            for (k, d) in batch.enumerated() {
                let doc = DedupDocument(feed: "f\((n + k) % 40)", title: d.title, text: d.text, published: d.published)
                _ = index.add(
                    doc, fingerprint: dedup.fingerprint(doc, boilerplate: nil), deduplicator: dedup, allKeys: true)
            }
            let dt = cpuSeconds() - t0
            spent += dt
            n += stretch
            if marks.contains(n) {
                emit(
                    String(
                        format: "    history %7d items: last 10k at %.0f items/s (%.1f us/item), peak memory %.0f MB",
                        n, Double(stretch) / dt, dt / Double(stretch) * 1e6, peakMemoryMB()))
            }
        }
    }
}
