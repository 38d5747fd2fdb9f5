import Dedup
import Feeds
public import Store

/// `aggregator explain A B`: why two stored items are or are not one story.
public enum ExplainPair {
    public static func explain(store: Store, config: Config?, _ idA: Int64, _ idB: Int64) throws -> String {
        guard let a = try store.itemDetail(id: idA)?.item else { throw ConfigError(file: store.db.path, line: nil, message: "no item with id \(idA)") }
        guard let b = try store.itemDetail(id: idB)?.item else { throw ConfigError(file: store.db.path, line: nil, message: "no item with id \(idB)") }
        let deduplicator = Deduplicator(settings: config?.dedup.settings ?? DedupSettings())
        let feeds = Dictionary(uniqueKeysWithValues: try store.allFeeds().map { ($0.name, $0.id) })
        func document(_ stored: StoredItem) -> DedupDocument {
            let item = Item(title: stored.title, link: stored.link, summary: stored.summary, content: stored.content)
            return DedupDocument(
                feed: stored.feed, title: stored.title, text: FetchRun.dedupText(item),
                canonicalURL: stored.link.map(URLCanonicalizer.canonical), published: stored.published)
        }
        func boilerplate(_ item: StoredItem) throws -> BoilerplateModel? {
            guard let id = feeds[item.feed] else { return nil }
            let stats = try store.lineStatistics(feedID: id)
            return BoilerplateModel(lineCounts: stats.counts, itemCount: stats.items, settings: deduplicator.settings)
        }
        let explanation = deduplicator.explain(
            document(a), document(b), boilerplateA: try boilerplate(a), boilerplateB: try boilerplate(b))
        var out = "items \(idA) and \(idB): "
        out += a.clusterID == b.clusterID ? "in the same cluster (\(a.clusterID))\n" : "in different clusters (\(a.clusterID) and \(b.clusterID))\n"
        out += explanation.description + "\n"
        return out
    }
}
