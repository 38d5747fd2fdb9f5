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

    public init(lineCounts: [UInt64: Int], itemCount: Int, minItems: Int = 6, fraction: Double = 0.2) {
        self.itemCount = itemCount
        self.lineCounts = lineCounts
        self.minItems = minItems
        self.fraction = fraction
    }

    /// Uses the thresholds from the settings.
    public init(lineCounts: [UInt64: Int], itemCount: Int, settings: DedupSettings) {
        self.init(
            lineCounts: lineCounts, itemCount: itemCount, minItems: settings.boilerplateMinItems,
            fraction: settings.boilerplateFraction)
    }

    /// Learns from a batch of texts of one feed (convenience for tests and `recluster`).
    public init(texts: [String], settings: DedupSettings = DedupSettings()) {
        let dedup = Deduplicator(settings: settings)
        self.init(lineHashes: texts.map { dedup.lineHashes(of: $0) }, settings: settings)
    }

    /// Learns from the line hashes (`Deduplicator.lineHashes(of:)`) of a batch of texts of one feed.
    public init(lineHashes: [[UInt64]], settings: DedupSettings = DedupSettings()) {
        var counts: [UInt64: Int] = [:]
        for lines in lineHashes {
            for h in lines { counts[h, default: 0] += 1 }
        }
        self.init(lineCounts: counts, itemCount: lineHashes.count, settings: settings)
    }

    /// This model with a batch of new texts counted in (so a feed's first fetch already learns from
    /// its own items: count the batch first, then fingerprint the batch with the result).
    public func adding(_ texts: [String], deduplicator: Deduplicator) -> BoilerplateModel {
        adding(lineHashes: texts.map { deduplicator.lineHashes(of: $0) })
    }

    /// This model with a batch of new texts counted in, given their line hashes
    /// (`Deduplicator.lineHashes(of:)`, which the caller can then store without computing them again).
    public func adding(lineHashes: [[UInt64]]) -> BoilerplateModel {
        var copy = self
        for lines in lineHashes {
            for h in lines { copy.lineCounts[h, default: 0] += 1 }
        }
        copy.itemCount += lineHashes.count
        return copy
    }

    /// True when the line recurs often enough in this feed to be template text.
    public func isBoilerplate(_ lineHash: UInt64) -> Bool {
        guard itemCount >= minItems, let count = lineCounts[lineHash] else { return false }
        return count >= 3 && Double(count) >= fraction * Double(itemCount)
    }
}
