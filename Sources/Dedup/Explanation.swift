/// Why two items are or are not one story: what `aggregator explain ID ID` prints.
public struct Explanation: Sendable, CustomStringConvertible {
    /// One item as the deduplicator saw it.
    public struct Side: Sendable {
        public var feed: String
        public var title: String
        /// The title's normalized words.
        public var normalizedTitle: String
        /// The first normalized content lines.
        public var firstLines: [String]
        /// Lines and prefixes removed before shingling.
        public var removed: [RemovedLine]
        public var wordCount: Int
        public var shingleCount: Int
    }

    public var a: Side
    public var b: Side
    public var evidence: PairEvidence
    /// Exact Jaccard resemblance of the two shingle sets.
    public var exactResemblance: Double
    /// Exact containment of a's shingles in b's, and of b's in a's.
    public var exactContainmentAInB: Double
    public var exactContainmentBInA: Double
    public var verdict: PairVerdict
    /// The thresholds in force.
    public var thresholds: String

    public var description: String {
        func f(_ x: Double) -> String { String((x * 1000).rounded() / 1000) }
        var lines: [String] = []
        for (name, side) in [("A", a), ("B", b)] {
            lines.append("\(name): [\(side.feed)] \(side.title)")
            lines.append("   title words: \(side.normalizedTitle)")
            lines.append("   words: \(side.wordCount), distinct shingles: \(side.shingleCount)")
            for line in side.firstLines.prefix(3) {
                lines.append("   | " + String(line.prefix(160)))
            }
            for removed in side.removed.prefix(12) {
                lines.append("   removed (\(removed.reason.rawValue)): " + String(removed.text.prefix(100)))
            }
        }
        let e = evidence
        lines.append("resemblance: estimated \(f(e.resemblance)), exact \(f(exactResemblance))")
        lines.append(
            "containment: A in B \(f(exactContainmentAInB)), B in A \(f(exactContainmentBInA)) (exact); "
                + "smaller in larger \(f(e.containment)) (estimated)")
        lines.append("lead containment: \(f(e.lead)) over \(e.leadSize) lead shingles")
        lines.append("title: overlap \(f(e.titleOverlap)), jaccard \(f(e.titleJaccard))")
        if e.sameURL { lines.append("same canonical url") }
        if e.sameText { lines.append("identical normalized text") }
        lines.append(
            "decision: \(verdict.isMatch ? "same story" : "different stories") by rule "
                + "\"\(verdict.rule.rawValue)\" (similarity \(f(verdict.similarity)))")
        lines.append("thresholds: \(thresholds)")
        return lines.joined(separator: "\n")
    }
}

extension Deduplicator {
    /// Explains the decision on one pair of documents, with exact set measures beside the estimates.
    public func explain(
        _ docA: DedupDocument, _ docB: DedupDocument, boilerplateA: BoilerplateModel? = nil,
        boilerplateB: BoilerplateModel? = nil
    ) -> Explanation {
        let na = normalizer.normalize(docA.text, boilerplate: boilerplateA, verbose: true)
        let nb = normalizer.normalize(docB.text, boilerplate: boilerplateB, verbose: true)
        let fa = fingerprint(tokens: na.tokens, title: docA.title)
        let fb = fingerprint(tokens: nb.tokens, title: docB.title)
        let sa = Set(Shingles.hashes(of: na.tokens, k: settings.shingleSize))
        let sb = Set(Shingles.hashes(of: nb.tokens, k: settings.shingleSize))
        let shared = Double(sa.intersection(sb).count)
        let union = Double(sa.union(sb).count)
        let evidence = PairEvidence(fa, fb, urlA: docA.canonicalURL, urlB: docB.canonicalURL)
        func side(_ doc: DedupDocument, _ n: NormalizedText, _ fp: Fingerprint) -> Explanation.Side {
            Explanation.Side(
                feed: doc.feed, title: doc.title,
                normalizedTitle: normalizer.words(Self.cleanTitle(doc.title), verbose: true).words.joined(
                    separator: " "),
                firstLines: Array(n.keptLines.prefix(3)), removed: n.removed, wordCount: fp.wordCount,
                shingleCount: fp.shingleCount)
        }
        return Explanation(
            a: side(docA, na, fa), b: side(docB, nb, fb), evidence: evidence,
            exactResemblance: union > 0 ? shared / union : 0,
            exactContainmentAInB: sa.isEmpty ? 0 : shared / Double(sa.count),
            exactContainmentBInA: sb.isEmpty ? 0 : shared / Double(sb.count),
            verdict: rule.judge(evidence), thresholds: rule.summary)
    }
}
