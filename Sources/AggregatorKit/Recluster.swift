public import Foundation
import Dedup
public import Store

/// `aggregator recluster`: rebuild clusters from stored items with the current `[dedup]` settings.
public enum Recluster {
    public static func run(config: Config?, databasePath: String, since: Date?) throws -> ReclusterSummary {
        let store = try Store(path: databasePath)
        let deduplicator = Deduplicator(settings: config?.dedup.settings ?? DedupSettings())
        store.deduplicator = deduplicator
        return try store.recluster(
            since: since, deduplicator: deduplicator, windowDays: Double(deduplicator.settings.windowDays), now: Date()
        ) { item, feed, model in
            FetchRun.prepare(item, feed: feed, boilerplate: model, deduplicator: deduplicator)
        }
    }
}
