public import Foundation
public import Store

/// What one pruning pass did (or would do, in a dry run).
public struct PruneReport: Sendable {
    public var counts = PruneCounts()
    /// Feed rows dropped because they are no longer configured and hold no items.
    public var feedsRemoved: [String] = []
    public var dryRun = false
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
    public var vacuumed = false
    public var seconds = 0.0

    public init() {}

    /// `removed 1200 items (300 stories gone, 12 shortened), 1200 fingerprints, 38400 band keys in 3 batches`
    public var summaryLine: String {
        let c = counts
        var line = dryRun ? "would remove " : "removed "
        line +=
            "\(c.items) item\(c.items == 1 ? "" : "s") (\(c.clustersRemoved) stor\(c.clustersRemoved == 1 ? "y" : "ies") gone, "
        line += "\(c.clustersShrunk) shortened), \(c.fingerprints) fingerprints, \(c.bandKeys) band keys"
        if !dryRun && c.batches > 0 { line += " in \(c.batches) batch\(c.batches == 1 ? "" : "es")" }
        if !feedsRemoved.isEmpty { line += "; dropped unconfigured feeds: \(feedsRemoved.joined(separator: ", "))" }
        if vacuumed { line += "; database \(ByteCount.format(bytesBefore)) -> \(ByteCount.format(bytesAfter))" }
        return line
    }
}

/// Retention: off unless configured. `settings.keep` applies to every feed, a feed's own `keep` overrides it;
/// items are judged by when we first stored them, never by the date the feed claims.
public enum Retention {
    /// Items per pruning transaction: small enough that a concurrent fetch never waits long for the write lock
    /// (an item takes about 70 band-key deletions; measured about 1 ms per item, debug build, busy 2-core machine).
    public static let batchSize = 200

    /// Whether the config asks for any pruning at all.
    public static func isConfigured(_ config: Config) -> Bool {
        config.settings.keep != nil || config.feeds.contains { $0.keep != nil }
    }

    /// Feed id → cutoff. Configured feeds use their `keep`, else `settings.keep`; feeds no longer configured use
    /// `settings.keep`. `olderThan` (from `prune --older-than`) replaces all of them.
    public static func cutoffs(config: Config, feeds: [FeedRecord], now: Date, olderThan: Double? = nil) -> [Int64:
        Date]
    {
        var keepByName: [String: Double] = [:]
        for feed in config.feeds { if let keep = feed.keep ?? config.settings.keep { keepByName[feed.name] = keep } }
        let configured = Set(config.feeds.map(\.name))
        var result: [Int64: Date] = [:]
        for feed in feeds {
            let keep: Double?
            if let olderThan {
                keep = olderThan
            } else if configured.contains(feed.name) {
                keep = keepByName[feed.name]
            } else {
                keep = config.settings.keep
            }
            if let keep { result[feed.id] = now.addingTimeInterval(-keep) }
        }
        return result
    }

    /// Prunes `store` by the config's retention (or `olderThan`), in bounded batches.
    public static func prune(
        store: Store, config: Config, now: Date = Date(), olderThan: Double? = nil, dryRun: Bool = false,
        vacuum: Bool = false, batchSize: Int = Retention.batchSize
    ) throws -> PruneReport {
        let started = Date()
        var report = PruneReport()
        report.dryRun = dryRun
        report.bytesBefore = store.fileBytes()
        let cutoffs = cutoffs(config: config, feeds: try store.allFeeds(), now: now, olderThan: olderThan)
        report.counts = try store.prune(cutoffs: cutoffs, batchSize: batchSize, dryRun: dryRun)
        if !dryRun {
            report.feedsRemoved = try store.removeUnconfiguredFeeds(keeping: Set(config.feeds.map(\.name)))
            if vacuum {
                try store.vacuum()
                report.vacuumed = true
            }
        }
        report.bytesAfter = store.fileBytes()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

/// Byte counts for people: `512 B`, `12.3 KB`, `4.0 MB`, `1.2 GB` (powers of 1024).
public enum ByteCount {
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
