public import Foundation

/// HTTP dates (RFC 9110 §5.6.7): the preferred IMF-fixdate and the two obsolete forms servers still send.
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday

    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`.
    /// Also takes `UTC`, `+0000` or a missing zone for GMT and a missing weekday. Returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else { return nil }
        // Drop the weekday ("Sun," or "Sunday,"); asctime's weekday has no comma.
        if tokens[0].hasSuffix(",") || (tokens.count == 5 && Int(tokens[0]) == nil && month(tokens[1]) != nil) {
            tokens.removeFirst()
        }
        var day: Int?, monthIndex: Int?, year: Int?, time: String?
        switch tokens.count {
        case 2...3 where tokens[0].contains("-"):  // RFC 850: 06-Nov-94 08:49:37 GMT
            let parts = tokens[0].split(separator: "-").map(String.init)
            guard parts.count == 3, tokens.count == 2 || isZoneGMT(tokens[2]) else { return nil }
            day = Int(parts[0])
            monthIndex = month(parts[1])
            year = Int(parts[2]).map { parts[2].count == 2 ? ($0 < 70 ? 2000 + $0 : 1900 + $0) : $0 }
            time = tokens[1]
        case 4 where month(tokens[0]) != nil:  // asctime: Nov 6 08:49:37 1994
            monthIndex = month(tokens[0])
            day = Int(tokens[1])
            time = tokens[2]
            year = Int(tokens[3])
        case 4, 5:  // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
            guard tokens.count == 4 || isZoneGMT(tokens[4]) else { return nil }
            day = Int(tokens[0])
            monthIndex = month(tokens[1])
            year = Int(tokens[2])
            time = tokens[3]
        default:
            return nil
        }
        guard let day, let monthIndex, let year, let time else { return nil }
        let clock = time.split(separator: ":").map { Int($0) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2],
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...9999).contains(year)
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    /// Formats a date as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func format(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let seconds = total - days * 86400
        let (year, month, day) = civilFromDays(days)
        let weekday = weekdays[((days % 7) + 7) % 7]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let monthName = months[month - 1].prefix(1).uppercased() + months[month - 1].dropFirst()
        return "\(weekday), \(two(day)) \(monthName) \(year) "
            + "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
    }

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased())
    }

    private static func isZoneGMT(_ zone: String) -> Bool {
        ["gmt", "utc", "ut", "z", "+0000", "-0000"].contains(zone.lowercased())
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
