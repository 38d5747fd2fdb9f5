import Foundation

/// Tunable parameters of shingling, MinHash, LSH and the decision rule.
///
/// `[dedup]` in feeds.toml maps onto these fields by name (snake_case there, camelCase here).
/// The defaults were chosen by measurement on the development corpus (see `Scripts/eval-dedup`).
public struct DedupSettings: Sendable, Equatable {
    /// Words per shingle (3–5 are sensible).
    public var shingleSize: Int = 4
    /// Signature length: one-permutation MinHash bins.
    public var permutations: Int = 128
    /// The resemblance around which LSH starts offering a pair as candidate; bands and rows derive from it.
    public var candidateThreshold: Double = 0.4
    /// At most this many LSH bands: each band is one index row per item to write and one lookup per new item,
    /// the biggest share of storing an item (measured: ~1-2 us per row in SQLite); with 128 values and the
    /// 0.4 threshold, 16 bands of 3 rows place the S-curve where 32 bands of 4 did.
    public var maxBands: Int = 16
    /// Candidates are limited to items published within this many days of the new item.
    public var windowDays: Int = 7
    /// Shingles (from the start of the text) kept exactly for lead containment (teaser vs full text).
    public var leadShingles: Int = 96
    /// Lead index keys come from this many shingles at the start of the text (a teaser is at most ~60): each
    /// key is an index row to write per item.
    public var leadKeyShingles: Int = 48
    /// Lead index keys are chosen by winnowing with this window: any run of this many shingles that two
    /// leads share yields a shared key (about 2/(window+1) of the lead shingles become keys).
    public var leadKeyWindow: Int = 12
    /// Adjacent title words per title index key.
    public var titleKeyWords: Int = 3
    /// Lines with fewer words than this are dropped (menus, "Berita Terkini", credits).
    public var minLineWords: Int = 4

    // MARK: decision rule thresholds (used only in `DecisionRule`)
    /// Estimated resemblance that alone makes two texts one story.
    public var resemblanceThreshold: Double = 0.35
    /// Estimated containment of the smaller text in the larger that alone makes one story.
    public var containmentThreshold: Double = 0.6
    /// Containment is trusted only when the smaller text has at least this many shingles.
    public var containmentMinShingles: Int = 20
    /// Exact containment of the smaller text's lead in the other's lead that alone makes one story.
    public var leadThreshold: Double = 0.5
    /// Containment or lead evidence below this also needs the headlines to agree a little.
    public var partialContainment: Double = 0.8
    /// ... namely this title overlap.
    public var partialTitleOverlap: Double = 0.4
    /// Lead containment is trusted only when the smaller lead has at least this many shingles.
    public var leadMinShingles: Int = 8
    /// Title overlap (shared words / words of the shorter title) for title-assisted matches.
    public var titleThreshold: Double = 0.75
    /// With a matching title, this much text evidence (resemblance, containment or lead) suffices.
    public var titleAssistedTextThreshold: Double = 0.2
    /// A text with fewer distinct shingles than this is "short" (a teaser or cut summary).
    public var shortTextShingles: Int = 60
    /// When one text is short (often rewritten), a headline this alike (word Jaccard) alone decides.
    public var titleOnlyThreshold: Double = 0.75
    /// ... provided the shorter headline has at least this many words.
    public var titleOnlyMinWords: Int = 6
    /// A merge of two clusters needs a match at least this strong (similarity) into both.
    public var mergeThreshold: Double = 0.6

    /// Minimum learned-boilerplate statistics: a feed needs this many items before lines are judged.
    public var boilerplateMinItems: Int = 6
    /// A line recurring in at least this fraction of a feed's items (and at least 3) is boilerplate.
    public var boilerplateFraction: Double = 0.2

    public init() {}

    /// LSH bands and rows: `bands * rows <= permutations`, `(1/bands)^(1/rows)` closest to the threshold.
    public var bandsAndRows: (bands: Int, rows: Int) {
        let k = max(1, permutations)
        let t = min(max(candidateThreshold, 0.01), 0.99)
        var best = (bands: k, rows: 1)
        var bestError = Double.infinity
        for rows in 1...k {
            let bands = min(k / rows, max(1, maxBands))
            guard bands >= 1 else { break }
            let implied = pow(1.0 / Double(bands), 1.0 / Double(rows))
            let error = abs(implied - t)
            if error < bestError {
                bestError = error
                best = (bands, rows)
            }
        }
        return best
    }
    /// Bands used by LSH.
    public var bands: Int { bandsAndRows.bands }
    /// Rows (signature values) per band.
    public var rows: Int { bandsAndRows.rows }

    /// The keys `[dedup]` in feeds.toml accepts (snake_case), in a stable order.
    public static let configurationKeys: [String] = [
        "shingle_size", "permutations", "threshold", "max_bands", "window_days", "lead_shingles", "lead_key_shingles", "lead_key_window",
        "title_key_words", "resemblance", "containment",
        "min_shingles", "partial_containment", "partial_title", "lead", "lead_min_shingles", "title_similarity",
        "title_text", "short_text", "title_only", "title_only_words", "merge",
        "boilerplate_min_items", "boilerplate_fraction",
    ]

    /// Sets one `[dedup]` value by its feeds.toml key.
    /// - Returns: false when the key is unknown or the value out of range (the caller reports it).
    public mutating func set(_ key: String, _ value: Double) -> Bool {
        let fraction = value >= 0 && value <= 1
        let count = value >= 1 && value <= 100_000 && value == value.rounded()
        switch key {
        case "shingle_size" where count && value <= 16: shingleSize = Int(value)
        case "permutations" where count && value >= 16 && value <= 1024: permutations = Int(value)
        case "threshold" where fraction: candidateThreshold = value
        case "max_bands" where count && value <= 1024: maxBands = Int(value)
        case "window_days" where count: windowDays = Int(value)
        case "lead_shingles" where count: leadShingles = Int(value)
        case "lead_key_window" where count && value <= 64: leadKeyWindow = Int(value)
        case "lead_key_shingles" where count: leadKeyShingles = Int(value)
        case "title_key_words" where count && value <= 16: titleKeyWords = Int(value)
        case "resemblance" where fraction: resemblanceThreshold = value
        case "containment" where fraction: containmentThreshold = value
        case "min_shingles" where count: containmentMinShingles = Int(value)
        case "partial_containment" where fraction: partialContainment = value
        case "partial_title" where fraction: partialTitleOverlap = value
        case "lead" where fraction: leadThreshold = value
        case "lead_min_shingles" where count: leadMinShingles = Int(value)
        case "title_similarity" where fraction: titleThreshold = value
        case "title_text" where fraction: titleAssistedTextThreshold = value
        case "short_text" where count: shortTextShingles = Int(value)
        case "title_only" where fraction: titleOnlyThreshold = value
        case "title_only_words" where count: titleOnlyMinWords = Int(value)
        case "merge" where fraction: mergeThreshold = value
        case "boilerplate_min_items" where count: boilerplateMinItems = Int(value)
        case "boilerplate_fraction" where fraction: boilerplateFraction = value
        default: return false
        }
        return true
    }
}
