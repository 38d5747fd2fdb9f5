public import Foundation
public import Store

/// `aggregator feeds`: configured feeds with their health.
public enum FeedsReport {
    public static func render(config: Config, health: [String: FeedHealth], json: Bool, timeZone: TimeZone, width: Int) -> String {
        if json {
            let rows = config.feeds.map { feed -> [String: Any] in
                let h = health[feed.name]
                let r = h?.record
                return [
                    "name": feed.name, "url": feed.resolvedURL, "title": Render.orNull(feed.title ?? r?.title),
                    "tags": feed.tags, "effective_url": r?.effectiveURL ?? feed.resolvedURL,
                    "last_attempt": Render.orNull(RFC3339.format(r?.lastAttempt)),
                    "last_success": Render.orNull(RFC3339.format(r?.lastSuccess)),
                    "last_status": Render.orNull(r?.lastStatus), "last_error": Render.orNull(r?.lastError),
                    "consecutive_failures": r?.consecutiveFailures ?? 0,
                    "next_due": Render.orNull(RFC3339.format(r?.nextDue)), "gone": r?.gone ?? false,
                    "items_stored": h?.itemsStored ?? 0, "items_last_7_days": h?.itemsLast7Days ?? 0,
                    "average_items_per_day": Render.round(h?.averagePerDay ?? 0),
                ]
            }
            return Render.jsonString(rows) + "\n"
        }
        var out = Render.pad("NAME", 16) + Render.pad("STATUS", 16) + Render.pad("ITEMS", 7) + Render.pad("7D", 5)
        out += Render.pad("LAST SUCCESS", 18) + "URL\n"
        for feed in config.feeds {
            let h = health[feed.name]
            let r = h?.record
            var status = "never fetched"
            if let r, r.lastAttempt != nil {
                if r.gone {
                    status = "gone (410)"
                } else if r.lastError != nil, r.consecutiveFailures > 0 {
                    status = "failing ×\(r.consecutiveFailures)"
                } else if r.lastError != nil {
                    // The last attempt failed in a run where the network was down: not counted against the feed.
                    status = "unreachable"
                } else {
                    status = r.lastStatus.map { "ok (\($0))" } ?? "ok"
                }
            }
            let success = r?.lastSuccess.map { Render.shortTime($0, timeZone) } ?? "-"
            var url = r?.effectiveURL ?? feed.resolvedURL
            if let effective = r?.effectiveURL, effective != feed.resolvedURL { url = "→ " + effective }
            out += Render.pad(feed.name, 16) + Render.pad(status, 16) + Render.pad(String(h?.itemsStored ?? 0), 7)
            out += Render.pad(String(h?.itemsLast7Days ?? 0), 5) + Render.pad(success, 18)
            out += Render.truncate(url, max(20, width - 62)) + "\n"
            if let r, let error = r.lastError {
                out += "    last error: \(error)\n"
            }
        }
        return out
    }
}
