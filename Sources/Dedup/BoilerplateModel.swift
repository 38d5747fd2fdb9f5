/// Per-feed learned boilerplate: lines that recur across many of a feed's items.
///
/// The Store keeps, per feed, how many items contained each line hash (`Deduplicator.lineHashes(of:)`,
/// counted once per item) and how many items the feed has; this model turns those counts into a verdict.
public struct BoilerplateModel: Sendable {
    /// Items seen in the feed.
    public var itemCount: Int
    /// Items containing each line hash.
    public var lineCounts: [UInt64: Int]
    /// A feed needs this many items before any line is judged.
    public var minItems: Int
    /// A line in at least this fraction of the items (and at least 3 of them) is boilerplate.
    public var fraction: Double

    public init(itemCount: Int, lineCounts: [UInt64: Int], minItems: Int = 6, fraction: Double = 0.2) {
        self.itemCount = itemCount
        self.lineCounts = lineCounts
        self.minItems = minItems
        self.fraction = fraction
    }

    /// Uses the thresholds from the settings.
    public init(itemCount: Int, lineCounts: [UInt64: Int], settings: DedupSettings) {
        self.init(
            itemCount: itemCount, lineCounts: lineCounts, minItems: settings.boilerplateMinItems,
            fraction: settings.boilerplateFraction)
    }

    /// Learns from a batch of texts of one feed (convenience for tests and `recluster`).
    public init(texts: [String], settings: DedupSettings = DedupSettings()) {
        let dedup = Deduplicator(settings: settings)
        var counts: [UInt64: Int] = [:]
        for text in texts {
            for h in dedup.lineHashes(of: text) { counts[h, default: 0] += 1 }
        }
        self.init(itemCount: texts.count, lineCounts: counts, settings: settings)
    }

    /// True when the line recurs often enough in this feed to be template text.
    public func isBoilerplate(_ lineHash: UInt64) -> Bool {
        guard itemCount >= minItems, let count = lineCounts[lineHash] else { return false }
        return count >= 3 && Double(count) >= fraction * Double(itemCount)
    }
}
