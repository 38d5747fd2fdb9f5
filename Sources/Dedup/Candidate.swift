/// A stored item offered by the Store as a possible duplicate of a new item.
public struct Candidate: Sendable {
    public var itemID: Int64
    public var clusterID: Int64
    public var feed: String
    public var fingerprint: Fingerprint
    public var canonicalURL: String?

    public init(itemID: Int64, clusterID: Int64, feed: String, fingerprint: Fingerprint, canonicalURL: String? = nil) {
        self.itemID = itemID
        self.clusterID = clusterID
        self.feed = feed
        self.fingerprint = fingerprint
        self.canonicalURL = canonicalURL
    }
}

/// A candidate that verified as the same story, with the cluster it is in now.
public struct JudgedMatch: Sendable {
    public var itemID: Int64
    public var clusterID: Int64
    public var verdict: PairVerdict

    public init(itemID: Int64, clusterID: Int64, verdict: PairVerdict) {
        self.itemID = itemID
        self.clusterID = clusterID
        self.verdict = verdict
    }
}

/// Where a new item goes.
public struct ClusterDecision: Sendable, Equatable {
    /// Join this existing cluster; nil = start a new one.
    public var clusterID: Int64?
    /// Similarity to the best match (1.0 for exact duplicates; 0 for a new cluster).
    public var similarity: Double
    /// Other clusters to merge into `clusterID` (the oldest, i.e. smallest, id is kept).
    public var mergeClusterIDs: [Int64]
    /// The best matching item, if any.
    public var matchedItemID: Int64?
    /// One line on why, e.g. "text containment 0.91 with item 17".
    public var explanation: String?

    public init(
        clusterID: Int64?, similarity: Double, mergeClusterIDs: [Int64] = [], matchedItemID: Int64? = nil,
        explanation: String? = nil
    ) {
        self.clusterID = clusterID
        self.similarity = similarity
        self.mergeClusterIDs = mergeClusterIDs
        self.matchedItemID = matchedItemID
        self.explanation = explanation
    }
}
