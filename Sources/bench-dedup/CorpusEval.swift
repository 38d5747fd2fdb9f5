import Dedup
import Foundation

/// One input document of `bench-dedup eval` (written by Scripts/bench-dedup-corpus.py).
struct CorpusDocument: Decodable {
    var feed: String
    var title: String
    var link: String
    var text: String
    var published: Double?
}

/// An in-memory stand-in for the Store's candidate index: the same lookups (index keys within the time
/// window, same canonical URL, same text hash) and the same cluster bookkeeping (merges keep the older id).
struct MemoryIndex {
    var fingerprints: [Fingerprint] = []
    var cluster: [Int64] = []
    var similarity: [Double] = []
    var feeds: [String] = []
    var urls: [String] = []
    var times: [Double?] = []
    var byKey: [Int64: [Int]] = [:]
    var byURL: [String: [Int]] = [:]
    var byText: [UInt64: [Int]] = [:]
    var members: [Int64: [Int]] = [:]
    var nextCluster: Int64 = 1
    var candidateCount = 0
    /// A key shared by more items than this is a "stop key" (a stock phrase, a common headline run):
    /// it finds nothing specific, so it is skipped. The Store does the same with `LIMIT maxPostings + 1`.
    var maxPostings = 50

    mutating func add(
        _ doc: DedupDocument, fingerprint fp: Fingerprint, deduplicator: Deduplicator, allKeys: Bool
    ) -> ClusterDecision {
        let window = Double(deduplicator.settings.windowDays) * 86_400
        let url = doc.canonicalURL ?? ""
        var ids = Set<Int>()
        let keys = allKeys ? fp.indexKeys : fp.bandKeys
        for key in keys {
            guard let postings = byKey[key], postings.count <= maxPostings else { continue }
            for i in postings { ids.insert(i) }
        }
        if !url.isEmpty { for i in byURL[url] ?? [] { ids.insert(i) } }
        if fp.textHash != 0 { for i in byText[fp.textHash] ?? [] { ids.insert(i) } }
        var candidates: [Candidate] = []
        for i in ids.sorted() {
            if let t = doc.published?.timeIntervalSince1970, let u = times[i], abs(t - u) > window, urls[i] != url {
                continue
            }
            candidates.append(
                Candidate(
                    itemID: Int64(i), clusterID: cluster[i], feed: feeds[i], fingerprint: fingerprints[i],
                    canonicalURL: urls[i]))
        }
        candidateCount += candidates.count
        let decision = deduplicator.decide(fp, doc: doc, candidates: candidates)
        let id: Int64
        if let joined = decision.clusterID {
            id = joined
            for other in decision.mergeClusterIDs where other != joined {
                for m in members[other] ?? [] { cluster[m] = joined }
                members[joined, default: []] += members[other] ?? []
                members[other] = nil
            }
        } else {
            id = nextCluster
            nextCluster += 1
        }
        let index = fingerprints.count
        fingerprints.append(fp)
        cluster.append(id)
        similarity.append(decision.clusterID == nil ? 1 : decision.similarity)
        feeds.append(doc.feed)
        urls.append(url)
        times.append(doc.published?.timeIntervalSince1970)
        members[id, default: []].append(index)
        for key in Set(keys) where byKey[key, default: []].count <= maxPostings {
            byKey[key, default: []].append(index)
        }
        if !url.isEmpty { byURL[url, default: []].append(index) }
        if fp.textHash != 0 { byText[fp.textHash, default: []].append(index) }
        return decision
    }
}

enum CorpusEval {
    /// `bench-dedup eval DOCS.jsonl OUT.json [--no-learned] [--bands-only] [--set key=value]...`
    static func run(_ args: [String]) throws {
        guard args.count >= 2 else { throw BenchError("usage: bench-dedup eval DOCS.jsonl OUT.json [options]") }
        var settings = DedupSettings()
        var learned = true
        var allKeys = true
        var truthPath: String?
        var i = 2
        while i < args.count {
            switch args[i] {
            case "--no-learned": learned = false
            case "--bands-only": allKeys = false
            case "--truth":
                i += 1
                truthPath = args[i]
            case "--set":
                i += 1
                let parts = args[i].split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let v = Double(parts[1]), settings.set(parts[0], v) else {
                    throw BenchError("bad --set \(args[i])")
                }
            default: throw BenchError("unknown option \(args[i])")
            }
            i += 1
        }
        let data = try String(contentsOfFile: args[0], encoding: .utf8)
        let decoder = JSONDecoder()
        var docs: [CorpusDocument] = []
        for line in data.split(separator: "\n") where !line.isEmpty {
            docs.append(try decoder.decode(CorpusDocument.self, from: Data(line.utf8)))
        }
        let dedup = Deduplicator(settings: settings)
        // Learned boilerplate: each feed's batch is counted before it is fingerprinted (a cold first fetch).
        var models: [String: BoilerplateModel] = [:]
        if learned {
            var byFeed: [String: [String]] = [:]
            for d in docs { byFeed[d.feed, default: []].append(d.text) }
            for (feed, texts) in byFeed { models[feed] = BoilerplateModel(texts: texts, settings: settings) }
        }
        var index = MemoryIndex()
        var rules: [String: Int] = [:]
        for d in docs {
            let doc = DedupDocument(
                feed: d.feed, title: d.title, text: d.text, canonicalURL: Deduplicator.canonicalURL(d.link),
                published: d.published.map { Date(timeIntervalSince1970: $0) })
            let fp = dedup.fingerprint(doc, boilerplate: models[d.feed])
            let decision = index.add(doc, fingerprint: fp, deduplicator: dedup, allKeys: allKeys)
            let rule = decision.explanation.map { String($0.prefix(while: { !$0.isNumber })) } ?? "new cluster"
            rules[rule, default: 0] += 1
        }
        var out: [[String: Any]] = []
        for (id, members) in index.members.sorted(by: { $0.key < $1.key }) {
            out.append([
                "id": id, "headline": docs[members[0]].title, "size": members.count,
                "items": members.map { m in
                    [
                        "id": m, "feed": docs[m].feed, "title": docs[m].title, "link": docs[m].link,
                        "similarity": index.similarity[m],
                    ] as [String: Any]
                },
            ])
        }
        if let truthPath { try report(truthPath: truthPath, docs: docs, index: index, dedup: dedup, models: models) }
        let json = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted])
        try json.write(to: URL(fileURLWithPath: args[1]))
        FileHandle.standardError.write(
            Data(
                ("eval: \(docs.count) docs, \(out.count) clusters, \(index.candidateCount) candidates verified; "
                    + "decisions: "
                    + rules.sorted(by: { $0.key < $1.key }).map {
                        "\($0.key.trimmingCharacters(in: .whitespaces))=\($0.value)"
                    }.joined(separator: ", ") + "\n").utf8))
    }
}

extension CorpusEval {
    /// Prints the evidence of every wrongly joined and every missed pair (for studying the rule).
    static func report(
        truthPath: String, docs: [CorpusDocument], index: MemoryIndex, dedup: Deduplicator,
        models: [String: BoilerplateModel]
    ) throws {
        var label: [String: (String, String)] = [:]
        for line in try String(contentsOfFile: truthPath, encoding: .utf8).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let link = object["link"] as? String, let cluster = object["cluster"] as? String
            else { continue }
            label[link] = (cluster, object["mode"] as? String ?? "?")
        }
        func f(_ x: Double) -> String { String(format: "%.2f", x) }
        for a in 0..<docs.count {
            for b in (a + 1)..<docs.count {
                guard let la = label[docs[a].link], let lb = label[docs[b].link] else { continue }
                let truth = la.0 == lb.0
                let together = index.cluster[a] == index.cluster[b]
                guard truth != together else { continue }
                let e = PairEvidence(index.fingerprints[a], index.fingerprints[b])
                let v = DecisionRule(settings: dedup.settings).judge(e)
                print(
                    "\(truth ? "MISS" : "FALSE") \(la.1)/\(lb.1) J=\(f(e.resemblance)) C=\(f(e.containment)) "
                        + "L=\(f(e.lead))/\(e.leadSize) T=\(f(e.titleOverlap))/\(f(e.titleJaccard))/\(e.titleWords) "
                        + "n=\(e.smallerShingles)/\(e.largerShingles) rule=\(v.rule) | \(docs[a].feed): \(docs[a].title) | "
                        + "\(docs[b].feed): \(docs[b].title)")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
