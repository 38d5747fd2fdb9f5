import Testing

@testable import Dedup

@Suite struct ClusteringTests {
    let dedup = Deduplicator()

    func fingerprint(_ title: String, _ text: String, feed: String = "f") -> Fingerprint {
        dedup.fingerprint(DedupDocument(feed: feed, title: title, text: text), boilerplate: nil)
    }

    @Test func syndicatedCopyOfTheSeedStoryMatches() {
        let a = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let b = fingerprint(StoryFixtures.floodTitleEdited, StoryFixtures.tribunnews)
        let verdict = dedup.judge(a, b)
        #expect(verdict.isMatch)
        #expect(verdict.similarity >= 0.6)
        // And LSH offers the pair as a candidate.
        #expect(!Set(a.bandKeys).isDisjoint(with: b.bandKeys))
    }

    @Test func sameTopicDifferentStoryStaysApart() {
        let story = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let copy = fingerprint(StoryFixtures.floodTitleEdited, StoryFixtures.tribunnews)
        let aid = fingerprint(StoryFixtures.aidTitle, StoryFixtures.aidStory)
        #expect(!dedup.judge(story, aid).isMatch)
        #expect(!dedup.judge(copy, aid).isMatch)
    }

    @Test func teaserIsContainedInTheFullText() {
        let full = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let teaser = fingerprint(StoryFixtures.floodTitle + "?", StoryFixtures.teaser)
        let evidence = PairEvidence(full, teaser)
        #expect(evidence.resemblance < 0.2)
        #expect(evidence.lead >= 0.9)
        #expect(dedup.judge(full, teaser).isMatch)
        // The lead keys make the teaser findable without a band match.
        #expect(!Set(full.leadKeys).isDisjoint(with: teaser.leadKeys))
    }

    @Test func newItemWithoutMatchesStartsACluster() {
        let aid = fingerprint(StoryFixtures.aidTitle, StoryFixtures.aidStory)
        let candidate = Candidate(
            itemID: 1, clusterID: 10, feed: "a",
            fingerprint: fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews))
        let decision = dedup.decide(
            aid, doc: DedupDocument(feed: "b", title: StoryFixtures.aidTitle, text: StoryFixtures.aidStory),
            candidates: [candidate])
        #expect(decision.clusterID == nil)
        #expect(decision.mergeClusterIDs.isEmpty)
    }

    @Test func exactDuplicatesJoinWithSimilarityOne() {
        let fp = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let other = fingerprint("Something else entirely", "Completely different words in this short text body")
        let byURL = dedup.decide(
            other,
            doc: DedupDocument(
                feed: "b", title: "x", text: "y", canonicalURL: "https://www.example.com/a?utm_source=rss"),
            candidates: [
                Candidate(itemID: 3, clusterID: 7, feed: "a", fingerprint: fp, canonicalURL: "https://example.com/a")
            ])
        #expect(byURL.clusterID == 7 && byURL.similarity == 1)
        let byText = dedup.decide(
            fingerprint("Other headline", StoryFixtures.serambinews),
            doc: DedupDocument(feed: "b", title: "Other headline", text: StoryFixtures.serambinews),
            candidates: [Candidate(itemID: 3, clusterID: 7, feed: "a", fingerprint: fp)])
        #expect(byText.clusterID == 7 && byText.similarity == 1)
    }

    @Test func strongMatchesInTwoClustersMergeIntoTheOlderID() {
        let a = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let b = fingerprint(StoryFixtures.floodTitleEdited, StoryFixtures.tribunnews)
        let new = fingerprint(
            StoryFixtures.floodTitle, StoryFixtures.serambinews + "\nSatu kalimat tambahan di akhir berita ini.")
        let decision = dedup.decide(
            new, doc: DedupDocument(feed: "c", title: StoryFixtures.floodTitle, text: ""),
            candidates: [
                Candidate(itemID: 20, clusterID: 12, feed: "a", fingerprint: a),
                Candidate(itemID: 9, clusterID: 5, feed: "b", fingerprint: b),
            ])
        #expect(decision.clusterID == 5)
        #expect(decision.mergeClusterIDs == [12])
        #expect(decision.matchedItemID == 20)
    }

    @Test func weakSecondMatchAttachesWithoutMerging() {
        let full = fingerprint(StoryFixtures.floodTitle, StoryFixtures.serambinews)
        let teaser = fingerprint(StoryFixtures.floodTitle, StoryFixtures.teaser)
        let copy = fingerprint(StoryFixtures.floodTitleEdited, StoryFixtures.tribunnews)
        // The new item matches the full text strongly (cluster 8) and the teaser only by its lead (cluster 3).
        let decision = dedup.decide(
            copy, doc: DedupDocument(feed: "c", title: "", text: ""),
            candidates: [
                Candidate(itemID: 30, clusterID: 8, feed: "a", fingerprint: full),
                Candidate(itemID: 4, clusterID: 3, feed: "b", fingerprint: teaser),
            ])
        #expect(decision.mergeClusterIDs.isEmpty)
        #expect(decision.clusterID == 8)
    }

    @Test func explainsADecision() {
        let e = dedup.explain(
            DedupDocument(feed: "serambinews", title: StoryFixtures.floodTitle, text: StoryFixtures.serambinews),
            DedupDocument(feed: "tribunnews", title: StoryFixtures.floodTitleEdited, text: StoryFixtures.tribunnews))
        #expect(e.verdict.isMatch)
        #expect(e.exactResemblance > 0.6 && e.exactContainmentBInA > 0.8)
        #expect(e.a.removed.contains { $0.reason == .dateline })
        #expect(e.a.removed.contains { $0.reason == .pattern })
        #expect(e.description.contains("same story"))
    }
}

@Suite struct DecisionRuleTests {
    let dedup = Deduplicator()

    @Test func rewrittenTeaserMatchesByItsHeadline() {
        let full = dedup.fingerprint(
            DedupDocument(feed: "a", title: StoryFixtures.floodTitle, text: StoryFixtures.serambinews), boilerplate: nil
        )
        let rewritten = dedup.fingerprint(
            DedupDocument(
                feed: "b", title: "UPDATE: " + StoryFixtures.floodTitle,
                text: "Ribuan warga Aceh Utara mengungsi setelah air sungai meluap dan merendam permukiman."),
            boilerplate: nil)
        #expect(dedup.judge(full, rewritten).rule == .titleOnly)
        // The same short text under a different headline is not enough.
        let other = dedup.fingerprint(
            DedupDocument(
                feed: "b", title: StoryFixtures.aidTitle,
                text: "Ribuan warga Aceh Utara mengungsi setelah air sungai meluap dan merendam permukiman."),
            boilerplate: nil)
        #expect(!dedup.judge(full, other).isMatch)
    }

    @Test func partialContainmentNeedsAgreeingHeadlines() {
        var e = PairEvidence(
            dedup.fingerprint(DedupDocument(feed: "a", title: "a b c", text: ""), boilerplate: nil),
            dedup.fingerprint(DedupDocument(feed: "b", title: "d e f", text: ""), boilerplate: nil))
        e.smallerShingles = 40
        e.largerShingles = 400
        e.leadSize = 40
        e.lead = 0.6
        e.containment = 0.65
        e.titleOverlap = 0.1
        let rule = DecisionRule(settings: DedupSettings())
        #expect(!rule.judge(e).isMatch)
        e.titleOverlap = 0.5
        #expect(rule.judge(e).rule == .containment)
        e.titleOverlap = 0
        e.containment = 0.9
        #expect(rule.judge(e).rule == .containment)
    }

    @Test func settingsAcceptConfigurationKeys() {
        var settings = DedupSettings()
        for key in DedupSettings.configurationKeys {
            let accepted = settings.set(key, 0.5) || settings.set(key, 16)
            #expect(accepted, "\(key)")
        }
        settings = DedupSettings()
        let set = settings.set("resemblance", 0.42)
        #expect(set && settings.resemblanceThreshold == 0.42)
        let outOfRange = settings.set("resemblance", 1.5)
        let unknown = settings.set("no_such_key", 1)
        #expect(!outOfRange && !unknown)
        let permutations = settings.set("permutations", 64)
        #expect(permutations && settings.bands * settings.rows <= 64)
    }
}
