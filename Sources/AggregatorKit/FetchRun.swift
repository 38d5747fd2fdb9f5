public import Foundation
public import Logging
public import Dedup
public import Feeds
import Fetch
public import Store

/// Which feeds a fetch run covers and how.
public struct FetchRunOptions: Sendable {
    public var force = false
    public var feedNames: [String] = []
    public var tags: [String] = []
    public var now = Date()
    /// Called with a progress line after each feed (for the live status on a terminal).
    public var progress: (@Sendable (FetchProgress) -> Void)?
    /// Called once per feed with its result (failures are reported on stderr by the caller).
    public var onFeedDone: (@Sendable (FeedOutcome) -> Void)?
    /// Each transfer and commit is logged at `debug` (shown with `--verbose`).
    public var logger = Logger(label: "aggregator.fetch")

    public init() {}
}

/// Where a run stands, for the progress line.
public struct FetchProgress: Sendable {
    public var done: Int
    public var total: Int
    public var newItems: Int
    public var failed: Int
}

/// The result for one feed in a run.
public struct FeedOutcome: Sendable {
    public enum Kind: String, Sendable { case ok, notModified = "not modified", failed, skipped }
    public var feed: String
    public var kind: Kind
    public var status: Int?
    public var newItems: Int
    public var reason: String?
    public var warnings: [String]
    public var seconds: Double
}

/// What a whole run did: the numbers of the one-line summary, plus every failure.
public struct FetchReport: Sendable {
    public var feeds = 0
    public var ok = 0
    public var notModified = 0
    public var failed = 0
    public var skipped = 0
    public var newItems = 0
    public var newStories = 0
    public var seconds = 0.0
    public var networkDown = false
    public var outcomes: [FeedOutcome] = []
    /// Retention pruning at the end of the run (issue 7); nil when retention is off.
    public var pruned: PruneReport?

    /// `fetched 120 feeds in 4.2 s: 112 ok, 5 not modified, 3 failed; 340 new items, 41 new stories`
    public var summaryLine: String {
        var line = "fetched \(feeds) feed\(feeds == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s: "
        line += "\(ok) ok, \(notModified) not modified, \(failed) failed"
        if skipped > 0 { line += ", \(skipped) not due" }
        line += "; \(newItems) new item\(newItems == 1 ? "" : "s"), \(newStories) new stor\(newStories == 1 ? "y" : "ies")"
        if networkDown { line += " (network down: every feed failed to connect; not counted against the feeds)" }
        if let pruned, pruned.counts.items > 0 { line += "; pruned \(pruned.counts.items) old item\(pruned.counts.items == 1 ? "" : "s")" }
        return line
    }
}

/// The fetch → parse → dedup → store pipeline.
public enum FetchRun {
    /// Parsing pauses while more than this many parsed items wait for the writer.
    static let maxBacklogItems = 30_000

    /// What every feed's write needs from the run.
    struct CommitContext: Sendable {
        let selected: [(FeedConfig, FeedRecord)]
        let deduplicator: Deduplicator
        let windowDays: Double
        let settings: Settings
        let options: FetchRunOptions
    }

    /// Runs one fetch over the configured feeds into the database at `databasePath`.
    public static func run(config: Config, databasePath: String, options: FetchRunOptions) async throws -> FetchReport {
        let started = Date()
        let store = try Store(path: databasePath)
        store.prepareForBulkWrites()
        let records = try store.syncFeeds(config.feeds.map { ($0.name, $0.resolvedURL, $0.title) })
        let deduplicator = Deduplicator(settings: config.dedup.settings)
        store.deduplicator = deduplicator
        let windowDays = Double(deduplicator.settings.windowDays)

        var report = FetchReport()
        var selected: [(FeedConfig, FeedRecord)] = []
        for feed in config.feeds {
            if !options.feedNames.isEmpty && !options.feedNames.contains(feed.name) { continue }
            if !options.tags.isEmpty && !feed.tags.contains(where: options.tags.contains) { continue }
            guard let record = records[feed.name] else { continue }
            if !options.force, let due = record.nextDue, due > options.now {
                report.skipped += 1
                report.outcomes.append(
                    FeedOutcome(feed: feed.name, kind: .skipped, newItems: 0, reason: "not due until \(RFC3339.format(due))",
                                warnings: [], seconds: 0))
                continue
            }
            selected.append((feed, record))
        }
        report.feeds = selected.count

        var requests: [FetchRequest] = []
        for (index, (feed, record)) in selected.enumerated() {
            var request = FetchRequest(id: index, url: record.effectiveURL ?? feed.resolvedURL)
            let unconditional = FeedSchedule.needsUnconditionalFetch(lastUnconditional: record.lastUnconditional, now: options.now)
            if !unconditional && !options.force {
                request.etag = record.etag
                request.lastModified = record.lastModified
            }
            request.timeout = feed.timeout ?? config.settings.timeout
            request.connectTimeout = config.settings.connectTimeout
            request.maxBodyBytes = config.settings.maxBodyBytes
            requests.append(request)
        }

        var fetcherOptions = FetcherOptions(userAgent: config.settings.userAgent)
        fetcherOptions.concurrency = config.settings.concurrency
        fetcherOptions.perHost = config.settings.perHost
        let fetcher = Fetcher(options: fetcherOptions)

        // Boilerplate models are read before parsing starts: the writer (this task) owns the database.
        var models: [Int: BoilerplateModel] = [:]
        for (index, (_, record)) in selected.enumerated() {
            let stats = try store.lineStatistics(feedID: record.id)
            models[index] = BoilerplateModel(lineCounts: stats.counts, itemCount: stats.items, settings: deduplicator.settings)
        }

        // Network failures are written last: when every feed failed to connect, the network is down, and
        // that must not count against the feeds.
        var networkFailures: [(Int, Processed)] = []
        var others = 0
        func isNetworkFailure(_ done: (Int, Processed)) -> Bool {
            if case .failed(_, true, _, _) = done.1 { return true }
            return false
        }
        let stream = fetcher.fetch(requests)
        let parallelism = max(2, ProcessInfo.processInfo.activeProcessorCount)
        // The writer stores on its own thread, several feeds per transaction (see StoreWriter), while this task
        // keeps parsing on every core.
        // AGGREGATOR_SNAPSHOT_LOOKUPS=0: the writer looks candidates up itself (for comparing the two).
        let snapshotLookups = ProcessInfo.processInfo.environment["AGGREGATOR_SNAPSHOT_LOOKUPS"] != "0"
        // AGGREGATOR_WRITER_BATCH: items per transaction at most (tests set it low to get many commits from a
        // small run).
        let batch = ProcessInfo.processInfo.environment["AGGREGATOR_WRITER_BATCH"].flatMap { Int($0) }
        let writer = StoreWriter(
            store: store, report: report, lookups: snapshotLookups ? (deduplicator, windowDays) : nil,
            maxBatchItems: max(1, batch ?? StoreWriter.defaultMaxBatchItems))
        let context = CommitContext(
            selected: selected, deduplicator: deduplicator, windowDays: windowDays, settings: config.settings,
            options: options)
        func enqueue(_ done: (Int, Processed)) async throws {
            if isNetworkFailure(done) {
                networkFailures.append(done)
                return
            }
            others += 1
            try writer.submit(items: done.1.items) { store, items, now, report in
                try commit(done, context: context, store: store, now: now, items: items, report: &report)
            }
            // Parsed feeds hold their texts until written: let the writer catch up when it falls far behind.
            while writer.backlog > maxBacklogItems { try await Task.sleep(nanoseconds: 2_000_000) }
        }
        do {
            try await withThrowingTaskGroup(of: (Int, Processed).self) { group in
                var inFlight = 0
                var results = stream.makeAsyncIterator()
                while let result = await results.next() {
                    let index = result.request.id
                    let feed = selected[index].0
                    let record = selected[index].1
                    let model = models[index]
                    let settings = deduplicator
                    group.addTask {
                        ThreadPriority.yieldToWriter()
                        return (index, process(result, feed: feed, record: record, boilerplate: model, deduplicator: settings))
                    }
                    inFlight += 1
                    while inFlight >= parallelism, let done = try await group.next() {
                        inFlight -= 1
                        try await enqueue(done)
                    }
                }
                while let done = try await group.next() {
                    try await enqueue(done)
                }
            }
        } catch {
            _ = try? await writer.finish()
            throw error
        }
        report = try await writer.finish()
        let networkDown = others == 0 && networkFailures.count >= 2
        report.networkDown = networkDown
        for done in networkFailures {
            try store.db.batch {
                try commit(done, context: context, store: store, networkDown: networkDown, report: &report)
            }
        }
        // Upkeep (issue 7): retention, when configured, in bounded batches after every feed is written.
        if Retention.isConfigured(config) {
            report.pruned = try Retention.prune(store: store, config: config, now: options.now)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// A fetched feed after the CPU work (parse, fingerprints), before the database write.
    enum Processed: Sendable {
        case items(FetchResponse, ParsedFeed, [PreparedItem], seconds: Double)
        case notModified(FetchResponse, seconds: Double)
        case httpError(FetchResponse, seconds: Double)
        case failed(String, network: Bool, response: FetchResponse?, seconds: Double)

        /// Items to store.
        var items: [PreparedItem] {
            if case .items(_, _, let prepared, _) = self { return prepared }
            return []
        }
    }

    /// Parses and fingerprints one fetched feed. Runs on the cooperative pool: pure CPU work, no blocking calls.
    static func process(
        _ result: FetchResult, feed: FeedConfig, record: FeedRecord, boilerplate: BoilerplateModel?,
        deduplicator: Deduplicator
    ) -> Processed {
        let response: FetchResponse
        switch result.outcome {
        case .failure(let error):
            return .failed(error.description, network: error.isNetworkError, response: nil, seconds: result.seconds)
        case .success(let value): response = value
        }
        if response.status == 304 { return .notModified(response, seconds: result.seconds) }
        if response.status >= 400 || (response.status >= 300 && response.status < 400) {
            return .httpError(response, seconds: result.seconds)
        }
        let parsed: ParsedFeed
        do {
            parsed = try FeedParser.parse(response.body, contentType: response.contentType, url: response.effectiveURL)
        } catch {
            return .failed(error.description, network: false, response: response, seconds: result.seconds)
        }
        // The batch itself counts toward the feed's learned boilerplate: a feed's very first fetch already
        // recognizes the footer every one of its items repeats.
        // Each text's line hashes are computed once: counted into the model here, stored with the item.
        let texts = parsed.feed.items.map(dedupText)
        let lineHashes = texts.map { deduplicator.lineHashes(of: $0) }
        let model = boilerplate.map { $0.adding(lineHashes: lineHashes) }
            ?? BoilerplateModel(lineHashes: lineHashes, settings: deduplicator.settings)
        let prepared = parsed.feed.items.indices.map { i in
            prepare(
                parsed.feed.items[i], text: texts[i], lineHashes: lineHashes[i], feed: feed.name, boilerplate: model,
                deduplicator: deduplicator)
        }
        return .items(response, parsed, prepared, seconds: result.seconds)
    }

    /// The dedup input and fingerprint of one item.
    /// The text the deduplicator reads: the content's paragraphs one per line (so boilerplate lines can be
    /// recognized and learned), else the summary.
    static func dedupText(_ item: Item) -> String {
        if let content = item.content, !content.isEmpty {
            return HTMLText.paragraphs(fromHTML: content).joined(separator: "\n")
        }
        return item.summary ?? ""
    }

    public static func prepare(
        _ item: Item, feed: String, boilerplate: BoilerplateModel?, deduplicator: Deduplicator
    ) -> PreparedItem {
        prepare(
            item, text: dedupText(item), lineHashes: nil, feed: feed, boilerplate: boilerplate,
            deduplicator: deduplicator)
    }

    /// - Parameter lineHashes: `deduplicator.lineHashes(of: text)` if already computed.
    static func prepare(
        _ item: Item, text: String, lineHashes: [UInt64]?, feed: String, boilerplate: BoilerplateModel?,
        deduplicator: Deduplicator
    ) -> PreparedItem {
        let document = DedupDocument(
            feed: feed, title: item.title ?? "", text: text,
            canonicalURL: item.link.map(URLCanonicalizer.canonical), published: item.published)
        let fingerprint: Fingerprint
        let lines: [UInt64]
        if let lineHashes {
            fingerprint = deduplicator.fingerprint(document, boilerplate: boilerplate)
            lines = lineHashes
        } else {
            (fingerprint, lines) = deduplicator.fingerprintAndLineHashes(document, boilerplate: boilerplate)
        }
        var hasher = FNV1a()
        for part in [item.title, item.link, item.summary, item.content, item.author] {
            hasher.add(part ?? "")
            hasher.add("\u{1}")
        }
        return PreparedItem(
            item: item, document: document, fingerprint: fingerprint, contentHash: Int64(bitPattern: hasher.value),
            lineHashes: lines)
    }

    /// Writes one feed's result (state + items) in one transaction and updates the report.
    /// - Parameters:
    ///   - now: the time of the attempt (when the writer's candidates were looked up, if they were).
    ///   - items: the items to store in place of `done`'s (the same, with their snapshot lookups).
    static func commit(
        _ done: (Int, Processed), context: CommitContext, store: Store, networkDown: Bool = false, now: Date = Date(),
        items: [PreparedItem]? = nil, report: inout FetchReport
    ) throws {
        let (feed, record) = context.selected[done.0]
        let deduplicator = context.deduplicator
        let windowDays = context.windowDays
        let settings = context.settings
        let options = context.options
        var update = FetchStateUpdate(attemptedAt: now, succeeded: false)
        update.redirectCount = record.redirectCount
        update.redirectTarget = record.redirectTarget
        var outcome = FeedOutcome(feed: feed.name, kind: .failed, newItems: 0, warnings: [], seconds: 0)
        let interval = feed.interval ?? settings.interval ?? 0

        func applyRedirect(_ response: FetchResponse) {
            if let target = response.permanentRedirect {
                update.redirectCount = record.redirectTarget == target ? record.redirectCount + 1 : 1
                update.redirectTarget = target
                if update.redirectCount >= 3 {
                    update.effectiveURL = target
                    update.redirectCount = 0
                    update.redirectTarget = nil
                }
            } else {
                update.redirectCount = 0
                update.redirectTarget = nil
            }
        }

        switch done.1 {
        case .items(let response, let parsed, let prepared, let seconds):
            update.succeeded = true
            update.status = response.status == 0 ? nil : response.status
            update.replaceValidators = true
            update.etag = response.etag
            update.lastModified = response.lastModified
            update.unconditional = true
            update.consecutiveFailures = 0
            update.title = parsed.feed.title
            update.siteLink = parsed.feed.link
            update.ttlMinutes = parsed.feed.ttlMinutes
            update.nextDue = FeedSchedule.nextDue(
                lastAttempt: now, interval: interval, ttlMinutes: parsed.feed.ttlMinutes,
                maxAge: response.cacheControl.flatMap(CacheControl.maxAge))
            applyRedirect(response)
            let summary = try store.commitFetch(
                feedID: record.id, feedName: feed.name, update: update, items: items ?? prepared, deduplicator: deduplicator,
                windowDays: windowDays)
            report.ok += 1
            report.newItems += summary.newItems
            report.newStories += summary.newClusters
            outcome.kind = .ok
            outcome.status = update.status
            outcome.newItems = summary.newItems
            outcome.warnings = parsed.warnings
            outcome.seconds = seconds
        case .notModified(let response, let seconds):
            update.succeeded = true
            update.status = 304
            update.consecutiveFailures = 0
            update.nextDue = FeedSchedule.nextDue(
                lastAttempt: now, interval: interval, ttlMinutes: record.ttlMinutes,
                maxAge: response.cacheControl.flatMap(CacheControl.maxAge))
            applyRedirect(response)
            try store.recordState(feedID: record.id, update)
            report.notModified += 1
            outcome.kind = .notModified
            outcome.status = 304
            outcome.seconds = seconds
        case .httpError(let response, let seconds):
            update.status = response.status
            update.error = "HTTP \(response.status)" + (response.status == 410 ? " gone" : "")
            update.consecutiveFailures = record.consecutiveFailures + 1
            update.gone = response.status == 410
            var retryAfter: Date?
            if response.status == 429 || response.status == 503, let header = response.retryAfter {
                retryAfter = RetryAfter.parse(header, now: now)
            }
            update.nextDue = FeedSchedule.nextDue(
                lastAttempt: now, interval: interval, retryAfter: retryAfter,
                consecutiveFailures: update.consecutiveFailures)
            applyRedirect(response)
            try store.recordState(feedID: record.id, update)
            report.failed += 1
            outcome.status = response.status
            outcome.reason = update.error
            outcome.seconds = seconds
        case .failed(let reason, let network, let response, let seconds):
            update.status = response?.status
            update.error = String(reason.split(separator: "\n").first ?? "")
            // Only a response says whether a feed is gone; a transfer that got none leaves the mark as it was.
            update.gone = response == nil && record.gone
            if network && networkDown {
                // Every feed failed to connect: our network, not the feeds. Record the attempt, count nothing,
                // keep the status the feed last answered with.
                update.consecutiveFailures = record.consecutiveFailures
                update.nextDue = record.nextDue
                update.status = record.lastStatus
            } else {
                update.consecutiveFailures = record.consecutiveFailures + 1
                update.nextDue = FeedSchedule.nextDue(
                    lastAttempt: now, interval: interval, consecutiveFailures: update.consecutiveFailures)
            }
            try store.recordState(feedID: record.id, update)
            report.failed += 1
            outcome.reason = update.error
            outcome.seconds = seconds
        }
        report.outcomes.append(outcome)
        options.logger.debug(
            "\(feed.name): \(outcome.kind.rawValue)",
            metadata: [
                "status": "\(outcome.status.map(String.init) ?? "-")", "new": "\(outcome.newItems)",
                "seconds": "\(String(format: "%.3f", outcome.seconds))",
                "url": "\(record.effectiveURL ?? feed.resolvedURL)",
            ])
        options.onFeedDone?(outcome)
        options.progress?(
            FetchProgress(done: report.ok + report.notModified + report.failed, total: report.feeds,
                          newItems: report.newItems, failed: report.failed))
    }
}
