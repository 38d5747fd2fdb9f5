/// What two fingerprints say about each other: the inputs of the decision rule.
public struct PairEvidence: Sendable, Equatable {
    /// Same canonical URL (tracking parameters removed).
    public var sameURL: Bool
    /// Identical non-empty normalized text.
    public var sameText: Bool
    /// Estimated Jaccard resemblance of the shingle sets.
    public var resemblance: Double
    /// Estimated containment of the smaller shingle set in the larger (from resemblance and set sizes).
    public var containment: Double
    /// Exact containment of the smaller lead (first shingles) in the other's lead.
    public var lead: Double
    /// Shingles in the smaller lead.
    public var leadSize: Int
    /// Distinct shingles of the smaller text.
    public var smallerShingles: Int
    /// Distinct shingles of the larger text.
    public var largerShingles: Int
    /// Shared title words / words of the shorter title.
    public var titleOverlap: Double
    /// Shared title words / all title words.
    public var titleJaccard: Double
    /// Words of the shorter title.
    public var titleWords: Int

    /// Computes the evidence from two fingerprints (and their canonical URLs, if known).
    public init(_ a: Fingerprint, _ b: Fingerprint, urlA: String? = nil, urlB: String? = nil) {
        if let urlA, let urlB, !urlA.isEmpty {
            sameURL = Deduplicator.sameCanonicalURL(urlA, urlB)
        } else {
            sameURL = false
        }
        sameText = a.textHash != 0 && a.textHash == b.textHash && a.shingleCount > 0
        let j = MinHasher.resemblance(a.signature, b.signature)
        resemblance = j
        let small = min(a.shingleCount, b.shingleCount)
        let large = max(a.shingleCount, b.shingleCount)
        smallerShingles = small
        largerShingles = large
        if small > 0 {
            let intersection = j * Double(small + large) / (1 + j)
            containment = min(1, intersection / Double(small))
        } else {
            containment = 0
        }
        let leadSmall = min(a.leadShingles.count, b.leadShingles.count)
        leadSize = leadSmall
        lead =
            leadSmall > 0
            ? Double(Shingles.intersectionCount(a.leadShingles, b.leadShingles)) / Double(leadSmall) : 0
        let sharedTitle = Shingles.intersectionCount(a.titleWords, b.titleWords)
        let shorter = min(a.titleWords.count, b.titleWords.count)
        titleWords = shorter
        titleOverlap = shorter > 0 ? Double(sharedTitle) / Double(shorter) : 0
        let union = a.titleWords.count + b.titleWords.count - sharedTitle
        titleJaccard = union > 0 ? Double(sharedTitle) / Double(union) : 0
    }
}

/// Which clause of the rule matched.
public enum MatchRule: String, Sendable {
    case sameURL = "same canonical url"
    case sameText = "identical normalized text"
    case resemblance = "text resemblance"
    case containment = "text containment"
    case lead = "lead containment"
    case titleAssisted = "title with text support"
    case titleOnly = "title of a short text"
    case none = "no match"
}

/// The rule's verdict on one pair.
public struct PairVerdict: Sendable, Equatable {
    public var rule: MatchRule
    /// How similar the pair is (1.0 for exact duplicates); the strongest text signal otherwise.
    public var similarity: Double
    /// The estimated resemblance (tie-breaker between equally similar matches).
    public var resemblance: Double
    public var isMatch: Bool { rule != .none }
    /// Symmetric, whole-text evidence: only such matches may merge clusters. A teaser contained in two
    /// stories' leads, or a shared headline, says nothing about the two stories being one.
    public var isSymmetric: Bool { rule == .sameURL || rule == .sameText || rule == .resemblance }
}

/// THE decision rule: the one place that turns evidence into "same story" or not.
public struct DecisionRule: Sendable {
    public var settings: DedupSettings

    public init(settings: DedupSettings) { self.settings = settings }

    public func judge(_ e: PairEvidence) -> PairVerdict {
        let s = settings
        if e.sameURL { return PairVerdict(rule: .sameURL, similarity: 1, resemblance: e.resemblance) }
        if e.sameText { return PairVerdict(rule: .sameText, similarity: 1, resemblance: e.resemblance) }
        let trustContainment = e.smallerShingles >= s.containmentMinShingles
        let trustLead = e.leadSize >= s.leadMinShingles
        let textScore = max(
            e.resemblance, trustContainment ? e.containment : 0, trustLead ? e.lead : 0)
        if e.resemblance >= s.resemblanceThreshold {
            return PairVerdict(rule: .resemblance, similarity: textScore, resemblance: e.resemblance)
        }
        // Partial containment happens between a story and its follow-up (shared background paragraphs):
        // below `partialContainment` the headlines must agree a little too.
        let titlesAgree = e.titleOverlap >= s.partialTitleOverlap
        if trustContainment && e.containment >= s.containmentThreshold
            && (e.containment >= s.partialContainment || titlesAgree)
        {
            return PairVerdict(rule: .containment, similarity: textScore, resemblance: e.resemblance)
        }
        if trustLead && e.lead >= s.leadThreshold && (e.lead >= s.partialContainment || titlesAgree) {
            return PairVerdict(rule: .lead, similarity: textScore, resemblance: e.resemblance)
        }
        let support = max(e.resemblance, e.containment, e.lead)
        if e.titleWords >= 2 && e.titleOverlap >= s.titleThreshold && support >= s.titleAssistedTextThreshold {
            return PairVerdict(rule: .titleAssisted, similarity: textScore, resemblance: e.resemblance)
        }
        if e.smallerShingles < s.shortTextShingles && e.titleWords >= s.titleOnlyMinWords
            && e.titleJaccard >= s.titleOnlyThreshold
        {
            return PairVerdict(rule: .titleOnly, similarity: e.titleJaccard * 0.5, resemblance: e.resemblance)
        }
        return PairVerdict(rule: .none, similarity: textScore, resemblance: e.resemblance)
    }

    /// The thresholds in force, for `explain`.
    public var summary: String {
        let s = settings
        return "resemblance >= \(s.resemblanceThreshold); containment >= \(s.containmentThreshold) "
            + "(smaller text >= \(s.containmentMinShingles) shingles; below \(s.partialContainment) also title overlap >= "
            + "\(s.partialTitleOverlap)); lead >= \(s.leadThreshold) "
            + "(lead >= \(s.leadMinShingles) shingles); title overlap >= \(s.titleThreshold) with text "
            + ">= \(s.titleAssistedTextThreshold); title jaccard >= \(s.titleOnlyThreshold) (>= \(s.titleOnlyMinWords) "
            + "words) when a text has < \(s.shortTextShingles) shingles; merge clusters at >= \(s.mergeThreshold)"
    }
}
