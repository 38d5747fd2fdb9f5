public import Foundation

/// RFC 3339 timestamps in UTC with `Z`, as every JSON output prints them.
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .gmt))
    }

    public static func format(_ date: Date?) -> String? { date.map { format($0) } }
}
