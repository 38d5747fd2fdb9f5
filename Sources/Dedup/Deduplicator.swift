import Foundation

/// Near-duplicate story detection: fingerprints items and decides which cluster a new item joins.
///
/// Pure and deterministic: the same settings and inputs give the same fingerprints on every machine.
public struct Deduplicator: Sendable {
    public let settings: DedupSettings
    let normalizer: TextNormalizer
    let hasher: MinHasher
    let rule: DecisionRule
    let bands: Int
    let rows: Int

    public init(settings: DedupSettings = DedupSettings()) {
        self.settings = settings
        (bands, rows) = settings.bandsAndRows
        normalizer = TextNormalizer(minLineWords: settings.minLineWords)
        hasher = MinHasher(permutations: settings.permutations)
        rule = DecisionRule(settings: settings)
    }

    /// Hashes of the distinct content lines of a text, for the per-feed boilerplate counts.
    public func lineHashes(of text: String) -> [UInt64] {
        var pass = TextPass(settings: settings, bytes: text.utf8.count, shingling: false)
        defer { pass.deallocate() }
        pass.scan(text, boilerplate: nil)
        return TextPass.distinct(pass.lineHashes)
    }

    /// The fingerprint and the distinct line hashes (`lineHashes(of:)`) of one item, sharing one pass
    /// over the text when they can.
    public func fingerprintAndLineHashes(
        _ doc: DedupDocument, boilerplate: BoilerplateModel?
    ) -> (fingerprint: Fingerprint, lineHashes: [UInt64]) {
        var pass = TextPass(settings: settings, bytes: doc.text.utf8.count, shingling: true)
        defer { pass.deallocate() }
        pass.scan(doc.text, boilerplate: boilerplate)
        let fingerprint = assemble(
            shingles: pass.shingles, distinct: pass.distinctShingles, signature: pass.signature(hasher),
            wordCount: pass.stream.count,
            textHash: pass.textHash, title: doc.title)
        // Lines dropped as learned boilerplate still count; but one dropped before the third content line
        // can change which later lines have a dateline stripped, so then the text is scanned again.
        let lines = pass.droppedLearnedEarly ? lineHashes(of: doc.text) : TextPass.distinct(pass.lineHashes)
        return (fingerprint, lines)
    }

    /// Computes everything stored for one item.
    public func fingerprint(_ doc: DedupDocument, boilerplate: BoilerplateModel?) -> Fingerprint {
        var pass = TextPass(settings: settings, bytes: doc.text.utf8.count, shingling: true, collectsLines: false)
        defer { pass.deallocate() }
        pass.scan(doc.text, boilerplate: boilerplate)
        return assemble(
            shingles: pass.shingles, distinct: pass.distinctShingles, signature: pass.signature(hasher),
            wordCount: pass.stream.count,
            textHash: pass.textHash, title: doc.title)
    }

    /// The fingerprint and line hashes by the general path: `TextNormalizer` (the rules as written, line by
    /// line, with Strings) then the shingles of its words. The one-pass `fingerprint(_:boilerplate:)` and
    /// `lineHashes(of:)` must agree with it bit for bit (stored fingerprints depend on it); `bench-dedup
    /// verify` and the tests check that they do.
    public func generalFingerprintAndLineHashes(
        _ doc: DedupDocument, boilerplate: BoilerplateModel?
    ) -> (fingerprint: Fingerprint, lineHashes: [UInt64]) {
        let text = normalizer.normalize(doc.text, boilerplate: boilerplate)
        var seen = Set<UInt64>()
        let lines = normalizer.normalize(doc.text).lineHashes.filter { seen.insert($0).inserted }
        return (fingerprint(tokens: text.tokens, title: doc.title), lines)
    }

    /// The fingerprint from normalized words (the general path `explain` takes; `fingerprint(_:boilerplate:)`
    /// gets the same result in one pass).
    func fingerprint(tokens: [UInt64], title: String) -> Fingerprint {
        let shingles = Shingles.hashes(of: tokens, k: settings.shingleSize)
        var textHash: UInt64 = 0
        if !tokens.isEmpty {
            textHash = 0x7465_7874
            for t in tokens { textHash = Hashing.combine(textHash, t) }
        }
        return shingles.withUnsafeBufferPointer {
            assemble(
                shingles: $0, distinct: Shingles.distinctCount($0), signature: hasher.signature(of: $0),
                wordCount: tokens.count, textHash: textHash, title: title)
        }
    }

    /// Everything derived from the shingles and the title.
    func assemble(
        shingles: UnsafeBufferPointer<UInt64>, distinct count: Int, signature: [UInt32], wordCount: Int,
        textHash: UInt64, title: String
    ) -> Fingerprint {
        let leadShingles = UnsafeBufferPointer(rebasing: shingles.prefix(max(0, settings.leadShingles)))
        let lead = Shingles.sortedDistinct32(leadShingles)

        var bandKeys: [Int64] = []
        if count > 0 {
            bandKeys.reserveCapacity(bands)
            for band in 0..<bands {
                var h = Hashing.combine(KeyDomain.band.rawValue, UInt64(band))
                for r in 0..<rows { h = Hashing.combine(h, UInt64(signature[band * rows + r])) }
                bandKeys.append(Int64(bitPattern: h))
            }
        }

        var leadKeys: [Int64] = []
        // Lead keys come from the first `leadKeyShingles` of the lead only (a teaser is shorter).
        let leadKeySource = UnsafeBufferPointer(rebasing: leadShingles.prefix(max(0, settings.leadKeyShingles)))
        for v in Shingles.winnow(leadKeySource, window: settings.leadKeyWindow) {
            leadKeys.append(Int64(bitPattern: Hashing.combine(KeyDomain.lead.rawValue, UInt64(v))))
        }

        let titleTokens = Self.titleTokens(title)
        var titleKey: UInt64 = 0
        if !titleTokens.isEmpty {
            titleKey = 0x7469_746C
            for t in titleTokens { titleKey = Hashing.combine(titleKey, t) }
        }
        let titleWords = Shingles.sortedDistinct32(titleTokens[...])
        var titleKeys: [Int64] = []
        let n = max(1, settings.titleKeyWords)
        if !titleTokens.isEmpty {
            // Runs of n adjacent title words (the whole title when shorter): edited, truncated or
            // prefixed headlines still share some; n >= 3 keeps runs of common words from matching everything.
            for start in 0...max(0, titleTokens.count - n) {
                var h = KeyDomain.title.rawValue
                for t in titleTokens[start..<min(titleTokens.count, start + n)] { h = Hashing.combine(h, t) }
                let key = Int64(bitPattern: h)
                if !titleKeys.contains(key) { titleKeys.append(key) }
                if titleKeys.count >= 16 { break }
            }
        }

        return Fingerprint(
            signature: signature, shingleCount: count, wordCount: wordCount, textHash: textHash,
            titleKey: titleKey, titleWords: titleWords, leadShingles: lead, bandKeys: bandKeys,
            titleKeys: titleKeys, leadKeys: leadKeys)
    }

    /// Word hashes of the cleaned title: `TextNormalizer.words(cleanTitle(title))` without building the
    /// cleaned string (it is a byte range of the title).
    static func titleTokens(_ title: String) -> [UInt64] {
        var title = title
        return title.withUTF8 { buf in
            let range = cleanTitleRange(buf)
            let bytes = UnsafeBufferPointer(rebasing: buf[range])
            var tokens: [UInt64] = []
            tokens.reserveCapacity(bytes.count / 2 + 1)
            var ascii = true
            for b in bytes where b >= 0x80 {
                ascii = false
                break
            }
            if ascii {
                Tokenizer.forEachASCIIWordHash(bytes) { tokens.append($0) }
            } else {
                var scratch = Tokenizer()
                var none: [String]? = nil
                scratch.tokenize(bytes, into: &tokens, words: &none)
            }
            return tokens
        }
    }

    /// Judges one pair of fingerprints with the decision rule.
    public func judge(_ a: Fingerprint, _ b: Fingerprint, urlA: String? = nil, urlB: String? = nil) -> PairVerdict {
        rule.judge(PairEvidence(a, b, urlA: urlA, urlB: urlB))
    }

    /// Decides the cluster of a new item from the candidates the Store found for it.
    ///
    /// The item joins the cluster of its best verified match. When it verifies strongly (similarity at
    /// least `mergeThreshold`) against several clusters, those clusters are merged into the oldest
    /// (smallest) id; weaker extra matches do not merge, which keeps a chain of weak links from gluing
    /// unrelated stories together.
    public func decide(_ fp: Fingerprint, doc: DedupDocument, candidates: [Candidate]) -> ClusterDecision {
        var matches: [JudgedMatch] = []
        for candidate in candidates {
            let verdict = judge(fp, candidate.fingerprint, urlA: doc.canonicalURL, urlB: candidate.canonicalURL)
            if verdict.isMatch {
                matches.append(JudgedMatch(itemID: candidate.itemID, clusterID: candidate.clusterID, verdict: verdict))
            }
        }
        return decide(matches: matches)
    }

    /// The same decision from matches judged already (the Store judges candidates found in a read snapshot
    /// off the writer thread, then gives each its current cluster).
    public func decide(matches: [JudgedMatch]) -> ClusterDecision {
        struct Best {
            var verdict: PairVerdict
            var itemID: Int64
        }
        var bestByCluster: [Int64: Best] = [:]
        for match in matches {
            let verdict = match.verdict
            guard verdict.isMatch else { continue }
            if let current = bestByCluster[match.clusterID],
                !Self.ranks(verdict, match.itemID, above: current.verdict, current.itemID)
            {
                continue
            }
            bestByCluster[match.clusterID] = Best(verdict: verdict, itemID: match.itemID)
        }
        let ranked = bestByCluster.sorted { l, r in
            Self.ranks(l.value.verdict, l.key, above: r.value.verdict, r.key)
        }
        guard let (bestCluster, best) = ranked.first else {
            return ClusterDecision(clusterID: nil, similarity: 0)
        }
        var target = bestCluster
        var merges: [Int64] = []
        let isStrong = { (v: PairVerdict) in v.isSymmetric && v.similarity >= self.settings.mergeThreshold }
        if isStrong(best.verdict) {
            let strong = ranked.dropFirst().filter { isStrong($0.value.verdict) }.map(\.key)
            if !strong.isEmpty {
                let all = ([bestCluster] + strong).sorted()
                target = all[0]
                merges = Array(all.dropFirst())
            }
        }
        let similarity = (best.verdict.similarity * 1000).rounded() / 1000
        return ClusterDecision(
            clusterID: target, similarity: best.verdict.similarity, mergeClusterIDs: merges,
            matchedItemID: best.itemID,
            explanation: "\(best.verdict.rule.rawValue) \(similarity) with item \(best.itemID)")
    }

    /// Orders matches: whole-text (symmetric) evidence first, then higher similarity, then higher
    /// resemblance, then the smaller (older) id.
    static func ranks(_ a: PairVerdict, _ idA: Int64, above b: PairVerdict, _ idB: Int64) -> Bool {
        if a.isSymmetric != b.isSymmetric { return a.isSymmetric }
        if a.similarity != b.similarity { return a.similarity > b.similarity }
        if a.resemblance != b.resemblance { return a.resemblance > b.resemblance }
        return idA < idB
    }

    /// Removes an all-capitals label before a colon ("BREAKING NEWS:", "UPDATE:") and a short site
    /// suffix after the last " - " or " | " ("... - Tribunnews.com"). Byte-level: titles are cleaned
    /// for every item.
    static func cleanTitle(_ title: String) -> String {
        var bytes = Array(title.utf8)
        // Label: up to 30 bytes before the first ":", letters all upper-case ASCII (or non-letters).
        if let colon = bytes.prefix(31).firstIndex(of: 0x3A) {
            let label = bytes[..<colon]
            let hasUpper = label.contains { $0 >= 0x41 && $0 <= 0x5A }
            let hasLower = label.contains { ($0 >= 0x61 && $0 <= 0x7A) || $0 >= 0x80 }
            if hasUpper && !hasLower { bytes.removeSubrange(...colon) }
        }
        // Suffix: the last " - ", " | ", " – " or " — " followed by at most 3 words.
        let separators: [[UInt8]] = [Array(" | ".utf8), Array(" - ".utf8), Array(" – ".utf8), Array(" — ".utf8)]
        var cut: Int?
        for sep in separators where bytes.count > sep.count {
            var i = bytes.count - sep.count
            while i > 10 {
                if bytes[i] == sep[0] && Array(bytes[i..<(i + sep.count)]) == sep {
                    let words = bytes[(i + sep.count)...].split(separator: 0x20).count
                    if words <= 3 { cut = max(cut ?? 0, i) }
                    break
                }
                i -= 1
            }
        }
        if let cut { bytes.removeSubrange(cut...) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `cleanTitle` as a byte range of the title (the label and suffix rules cut only at ASCII bytes).
    static func cleanTitleRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let n = bytes.count
        var start = 0
        // Label: up to 30 bytes before the first ":", letters all upper-case ASCII (or non-letters).
        var colon = -1
        for i in 0..<min(31, n) where bytes[i] == 0x3A {
            colon = i
            break
        }
        if colon >= 0 {
            var hasUpper = false
            var hasLower = false
            for b in bytes[..<colon] {
                if b >= 0x41 && b <= 0x5A { hasUpper = true }
                if (b >= 0x61 && b <= 0x7A) || b >= 0x80 { hasLower = true }
            }
            if hasUpper && !hasLower { start = colon + 1 }
        }
        // Suffix: the last " - ", " | ", " – " or " — " (after the first 10 bytes) followed by at most 3
        // words. Offsets are relative to `start`, as in `cleanTitle`.
        let m = n - start
        var cut = -1
        // The last occurrence (at an offset above 10) of each separator, found in one backward scan.
        var found: (bar: Bool, hyphen: Bool, en: Bool, em: Bool) = (m <= 3, m <= 3, m <= 5, m <= 5)
        var i = m - 3
        while i > 10 && !(found.bar && found.hyphen && found.en && found.em) {
            let at = start + i
            if bytes[at] == 0x20 {
                var length = 0
                if bytes[at + 2] == 0x20 && !found.bar && bytes[at + 1] == 0x7C {
                    found.bar = true
                    length = 3
                } else if bytes[at + 2] == 0x20 && !found.hyphen && bytes[at + 1] == 0x2D {
                    found.hyphen = true
                    length = 3
                } else if i <= m - 5 && bytes[at + 1] == 0xE2 && bytes[at + 2] == 0x80 && bytes[at + 4] == 0x20 {
                    if bytes[at + 3] == 0x93 && !found.en {
                        found.en = true
                        length = 5
                    } else if bytes[at + 3] == 0x94 && !found.em {
                        found.em = true
                        length = 5
                    }
                }
                if length > 0 {
                    var words = 0
                    var inWord = false
                    for b in bytes[(at + length)...] {
                        if b == 0x20 {
                            inWord = false
                        } else if !inWord {
                            inWord = true
                            words += 1
                        }
                    }
                    if words <= 3 { cut = max(cut, i) }
                }
            }
            i -= 1
        }
        return start..<(cut >= 0 ? start + cut : n)
    }

}
