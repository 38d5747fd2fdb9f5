public import Foundation

/// Dates as feeds write them: RFC 822 and its broken variants (English and Indonesian names, named and
/// military zones, WIB/WITA/WIT), asctime, and ISO 8601 / RFC 3339 / W3DTF in their partial forms.
/// A date without a zone is UTC. Unparseable input gives nil, never "now".
public enum DateParser {
    /// Parses `text`; nil when it is not a date this parser understands.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var s = bytes[...]
        while let f = s.first, f <= 0x20 { s = s.dropFirst() }
        while let l = s.last, l <= 0x20 { s = s.dropLast() }
        guard !s.isEmpty else { return nil }
        let b = UnsafeBufferPointer(rebasing: s)
        if let d = iso8601Common(b) { return d }
        if let d = iso8601(b) { return d }
        return rfc822(b)
    }

    // MARK: - Calendar arithmetic

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z: Int) -> (y: Int, m: Int, d: Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func make(
        _ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, frac: Double = 0, offset: Int = 0
    ) -> Date? {
        guard mo >= 1, mo <= 12, d >= 1, d <= daysIn(y, mo), h >= 0, h <= 24, mi >= 0, mi <= 59, s >= 0, s <= 60
        else { return nil }
        if h == 24 && (mi != 0 || s != 0) { return nil }
        let secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + min(s, 59) - offset
        return Date(timeIntervalSince1970: Double(secs) + frac)
    }

    /// RFC 3339 in UTC with `Z`, whole seconds.
    public static func rfc3339(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))Z"
    }

    // MARK: - ISO 8601

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, max: Int = 9) -> (value: Int, count: Int) {
        var v = 0
        var c = 0
        while i < b.count, c < max, b[i] >= 0x30, b[i] <= 0x39 {
            v = v * 10 + Int(b[i] - 0x30)
            i += 1
            c += 1
        }
        return (v, c)
    }

    /// The value of the digit at `b[k]`, or -1 when it is not one (the fixed-place readers OR the answers
    /// together and test the sign once).
    @inline(__always) private static func digit(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> Int {
        let c = b[k] &- 0x30
        return c <= 9 ? Int(c) : -1
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS+HH:MM` (or `-HH:MM`), the forms nearly every Atom feed
    /// and most RSS `dc:date`s write, read at fixed places: the date `iso8601` gives for them. Nil for anything
    /// else (and for a date of this form that `make` refuses); `iso8601` then decides.
    static func iso8601Common(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = b.count
        guard n == 20 || n == 25, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":")
        else { return nil }
        let y0 = digit(b, 0), y1 = digit(b, 1), y2 = digit(b, 2), y3 = digit(b, 3)
        let mo0 = digit(b, 5), mo1 = digit(b, 6), d0 = digit(b, 8), d1 = digit(b, 9)
        let h0 = digit(b, 11), h1 = digit(b, 12), mi0 = digit(b, 14), mi1 = digit(b, 15)
        let s0 = digit(b, 17), s1 = digit(b, 18)
        guard y0 | y1 | y2 | y3 | mo0 | mo1 | d0 | d1 | h0 | h1 | mi0 | mi1 | s0 | s1 >= 0 else { return nil }
        var offset = 0
        if n == 20 {
            guard b[19] == UInt8(ascii: "Z") else { return nil }
        } else {
            let sign = b[19]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), b[22] == UInt8(ascii: ":") else { return nil }
            let oh0 = digit(b, 20), oh1 = digit(b, 21), om0 = digit(b, 23), om1 = digit(b, 24)
            guard oh0 | oh1 | om0 | om1 >= 0 else { return nil }
            let secs = (oh0 * 10 + oh1) * 3600 + (om0 * 10 + om1) * 60
            offset = sign == UInt8(ascii: "-") ? -secs : secs
        }
        return make(
            y0 * 1000 + y1 * 100 + y2 * 10 + y3, mo0 * 10 + mo1, d0 * 10 + d1, h0 * 10 + h1, mi0 * 10 + mi1,
            s0 * 10 + s1, offset: offset)
    }

    static func iso8601(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        let n = b.count
        let (lead, leadCount) = digits(b, &i)
        guard leadCount >= 4 || (leadCount >= 5 && leadCount <= 8) else {
            // 2-digit forms only when compact (YYMMDD, YYDDD).
            return nil
        }
        var y = 0
        var mo = 1
        var d = 1
        if leadCount == 4 {
            y = lead
            if i < n, b[i] == UInt8(ascii: "-") {
                i += 1
                let (m, mc) = digits(b, &i, max: 3)
                if mc == 3 {
                    return ordinal(y, m)
                }
                guard mc == 2 || mc == 1 else { return nil }
                mo = m
                if i < n, b[i] == UInt8(ascii: "-") {
                    i += 1
                    let (dd, dc) = digits(b, &i, max: 2)
                    guard dc >= 1 else { return nil }
                    d = dd
                }
            } else if i < n {
                return nil
            }
        } else if leadCount == 8 {
            y = lead / 10000
            mo = lead / 100 % 100
            d = lead % 100
        } else if leadCount == 6 {
            y = twoDigitYear(lead / 10000)
            mo = lead / 100 % 100
            d = lead % 100
        } else if leadCount == 5 {
            return ordinal(twoDigitYear(lead / 1000), lead % 1000)
        } else if leadCount == 7 {
            return ordinal(lead / 1000, lead % 1000)
        } else {
            return nil
        }
        var h = 0
        var mi = 0
        var s = 0
        var frac = 0.0
        var offset = 0
        if i < n, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 0x20 {
            i += 1
            while i < n, b[i] == 0x20 { i += 1 }
            let (hh, hc) = digits(b, &i, max: 2)
            guard hc == 2 || hc == 1 else { return nil }
            h = hh
            let compact = i < n && b[i] >= 0x30 && b[i] <= 0x39
            if i < n, b[i] == UInt8(ascii: ":") || compact {
                if !compact { i += 1 }
                let (mm, mc) = digits(b, &i, max: 2)
                guard mc == 2 else { return nil }
                mi = mm
                let compactS = compact && i < n && b[i] >= 0x30 && b[i] <= 0x39
                if i < n, b[i] == UInt8(ascii: ":") || compactS {
                    if !compactS { i += 1 }
                    let (ss, sc) = digits(b, &i, max: 2)
                    guard sc == 2 else { return nil }
                    s = ss
                    if i < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                        i += 1
                        var scale = 0.1
                        while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                            frac += Double(b[i] - 0x30) * scale
                            scale /= 10
                            i += 1
                        }
                    }
                }
            }
            while i < n, b[i] == 0x20 { i += 1 }
            if i < n {
                let c = b[i]
                if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                    i += 1
                } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    i += 1
                    let (oh, oc) = digits(b, &i, max: 2)
                    guard oc == 2 || oc == 1 else { return nil }
                    var om = 0
                    if i < n, b[i] == UInt8(ascii: ":") { i += 1 }
                    let (m2, c2) = digits(b, &i, max: 2)
                    if c2 == 2 { om = m2 }
                    offset = (oh * 3600 + om * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
                } else if let z = namedZone(UnsafeBufferPointer(rebasing: b[i...])) {
                    offset = z
                }
            }
        } else if i < n {
            // Trailing garbage after a date-only value.
            return nil
        }
        return make(y, mo, d, h, mi, s, frac: frac, offset: offset)
    }

    private static func ordinal(_ y: Int, _ day: Int) -> Date? {
        guard day >= 1, day <= (isLeap(y) ? 366 : 365) else { return nil }
        return Date(timeIntervalSince1970: Double((daysFromCivil(y, 1, 1) + day - 1) * 86400))
    }

    static func twoDigitYear(_ y: Int) -> Int { y < 50 ? 2000 + y : 1900 + y }

    // MARK: - RFC 822 and friends

    /// Month number of an English or Indonesian month name or abbreviation (lower-cased input).
    static func month(_ w: String) -> Int? {
        switch w {
        case "jan", "january", "januari", "janv": return 1
        case "feb", "february", "februari", "febr", "peb", "pebruari": return 2
        case "mar", "march", "maret": return 3
        case "apr", "april": return 4
        case "may", "mei": return 5
        case "jun", "june", "juni": return 6
        case "jul", "july", "juli": return 7
        case "aug", "august", "agustus", "agu", "ags", "agt", "agus": return 8
        case "sep", "sept", "september": return 9
        case "oct", "october", "okt", "oktober": return 10
        case "nov", "november", "nop", "nopember": return 11
        case "dec", "december", "des", "desember": return 12
        default: return nil
        }
    }

    /// Offset in seconds of a named zone (lower-cased), nil when unknown.
    static func zone(_ w: String) -> Int? {
        switch w {
        case "ut", "utc", "gmt", "z", "etc/gmt", "etc/utc", "utc+0", "gmt+0": return 0
        case "wib": return 7 * 3600
        case "wita": return 8 * 3600
        case "wit": return 9 * 3600
        case "at", "ast": return -4 * 3600
        case "adt": return -3 * 3600
        case "et", "est": return -5 * 3600
        case "edt": return -4 * 3600
        case "ct", "cst": return -6 * 3600
        case "cdt": return -5 * 3600
        case "mt", "mst": return -7 * 3600
        case "mdt": return -6 * 3600
        case "pt", "pst": return -8 * 3600
        case "pdt": return -7 * 3600
        case "akst": return -9 * 3600
        case "hst": return -10 * 3600
        case "bst", "cet", "met", "wat": return 3600
        case "cest", "eet", "mest", "sast": return 2 * 3600
        case "eest", "msk": return 3 * 3600
        case "ist": return 5 * 3600 + 1800
        case "sgt", "hkt", "awst", "myt", "pht": return 8 * 3600
        case "jst", "kst": return 9 * 3600
        case "aest": return 10 * 3600
        case "aedt": return 11 * 3600
        case "nzst": return 12 * 3600
        default:
            // RFC 2822 §4.3: military zone letters are unreliable (RFC 822 had their signs reversed); read as UTC.
            if w.utf8.count == 1, let c = w.utf8.first, c >= 0x61, c <= 0x7A, c != 0x6A { return 0 }
            return nil
        }
    }

    /// `month(_:)` and `zone(_:)` as tables of packed names, for the RFC 822 word loop (no `String` per word).
    static let monthTable = TagNameTable<Int>([
        ("jan", 1), ("january", 1), ("januari", 1), ("janv", 1), ("feb", 2), ("february", 2), ("februari", 2),
        ("febr", 2), ("peb", 2), ("pebruari", 2), ("mar", 3), ("march", 3), ("maret", 3), ("apr", 4), ("april", 4),
        ("may", 5), ("mei", 5), ("jun", 6), ("june", 6), ("juni", 6), ("jul", 7), ("july", 7), ("juli", 7),
        ("aug", 8), ("august", 8), ("agustus", 8), ("agu", 8), ("ags", 8), ("agt", 8), ("agus", 8), ("sep", 9),
        ("sept", 9), ("september", 9), ("oct", 10), ("october", 10), ("okt", 10), ("oktober", 10), ("nov", 11),
        ("november", 11), ("nop", 11), ("nopember", 11), ("dec", 12), ("december", 12), ("des", 12), ("desember", 12),
    ])
    static let zoneTable = TagNameTable<Int>([
        ("ut", 0), ("utc", 0), ("gmt", 0), ("z", 0), ("etc/gmt", 0), ("etc/utc", 0), ("utc+0", 0), ("gmt+0", 0),
        ("wib", 7 * 3600), ("wita", 8 * 3600), ("wit", 9 * 3600), ("at", -4 * 3600), ("ast", -4 * 3600),
        ("adt", -3 * 3600), ("et", -5 * 3600), ("est", -5 * 3600), ("edt", -4 * 3600), ("ct", -6 * 3600),
        ("cst", -6 * 3600), ("cdt", -5 * 3600), ("mt", -7 * 3600), ("mst", -7 * 3600), ("mdt", -6 * 3600),
        ("pt", -8 * 3600), ("pst", -8 * 3600), ("pdt", -7 * 3600), ("akst", -9 * 3600), ("hst", -10 * 3600),
        ("bst", 3600), ("cet", 3600), ("met", 3600), ("wat", 3600), ("cest", 2 * 3600), ("eet", 2 * 3600),
        ("mest", 2 * 3600), ("sast", 2 * 3600), ("eest", 3 * 3600), ("msk", 3 * 3600), ("ist", 5 * 3600 + 1800),
        ("sgt", 8 * 3600), ("hkt", 8 * 3600), ("awst", 8 * 3600), ("myt", 8 * 3600), ("pht", 8 * 3600),
        ("jst", 9 * 3600), ("kst", 9 * 3600), ("aest", 10 * 3600), ("aedt", 11 * 3600), ("nzst", 12 * 3600),
    ])
    static let am = TagName("am")
    static let pm = TagName("pm")

    /// `zone(_:)` of a word already packed (lower-cased ASCII letters, `/` and `'`).
    static func zone(_ t: TagName) -> Int? {
        if let z = zoneTable[t] { return z }
        // RFC 2822 §4.3: military zone letters are unreliable (RFC 822 had their signs reversed); read as UTC.
        if t.count == 1 {
            let c = UInt8(truncatingIfNeeded: t.lo)
            if c >= 0x61, c <= 0x7A, c != 0x6A { return 0 }
        }
        return nil
    }

    private static func namedZone(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let w = String(decoding: b, as: UTF8.self).lowercased().trimmingASCIISpace()
        return zone(String(w))
    }

    /// `Ddd, D[D] Mmm YYYY HH:MM:SS ZONE` (the weekday optional; ZONE `+hhmm`, `-hhmm` or a zone name), the form
    /// nearly every feed writes, read at fixed places: the date `rfc822Slow` gives for it. Nil for anything
    /// else (and for a date of this form that `make` refuses); the general reading then decides.
    static func rfc822Common(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = b.count
        var i = 0
        if n >= 5, b[3] == UInt8(ascii: ","), b[4] == 0x20 {
            // Lower-cased by setting bit 5: only a letter and its capital become a lower-case letter, so a match
            // is three letters, none of them a month, am/pm or (before any number) a zone.
            let w = UInt32(b[0] | 0x20) | UInt32(b[1] | 0x20) << 8 | UInt32(b[2] | 0x20) << 16
            switch w {
            case 0x6E_6F_6D, 0x65_75_74, 0x64_65_77, 0x75_68_74, 0x69_72_66, 0x74_61_73, 0x6E_75_73: i = 5
            default: return nil
            }
        }
        // Day: one or two digits, then a space.
        guard i + 2 <= n else { return nil }
        let (day, dayDigits) = digits(b, &i, max: 2)
        guard dayDigits > 0 else { return nil }
        // " Mmm YYYY HH:MM:SS " is 19 bytes, and a zone at least one more.
        guard i + 20 <= n, b[i] == 0x20, b[i + 4] == 0x20, b[i + 9] == 0x20, b[i + 12] == UInt8(ascii: ":"),
            b[i + 15] == UInt8(ascii: ":"), b[i + 18] == 0x20,
            HTMLScanner.isAlpha(b[i + 1]), HTMLScanner.isAlpha(b[i + 2]), HTMLScanner.isAlpha(b[i + 3]),
            let month = monthTable[TagName(b, (i + 1)..<(i + 4))]
        else { return nil }
        let y0 = digit(b, i + 5), y1 = digit(b, i + 6), y2 = digit(b, i + 7), y3 = digit(b, i + 8)
        let h0 = digit(b, i + 10), h1 = digit(b, i + 11), m0 = digit(b, i + 13), m1 = digit(b, i + 14)
        let s0 = digit(b, i + 16), s1 = digit(b, i + 17)
        guard y0 | y1 | y2 | y3 | h0 | h1 | m0 | m1 | s0 | s1 >= 0 else { return nil }
        i += 19
        var offset = 0
        let z = b[i]
        if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            guard i + 5 == n else { return nil }
            let o0 = digit(b, i + 1), o1 = digit(b, i + 2), o2 = digit(b, i + 3), o3 = digit(b, i + 4)
            guard o0 | o1 | o2 | o3 >= 0 else { return nil }
            let secs = (o0 * 10 + o1) * 3600 + (o2 * 10 + o3) * 60
            offset = z == UInt8(ascii: "-") ? -secs : secs
        } else {
            // A zone name to the end: letters only, not am/pm, and one the table knows.
            guard n - i <= 5 else { return nil }
            for k in i..<n where !HTMLScanner.isAlpha(b[k]) { return nil }
            let w = TagName(b, i..<n)
            guard w != Self.am, w != Self.pm, let zs = zone(w) else { return nil }
            offset = zs
        }
        return make(
            y0 * 1000 + y1 * 100 + y2 * 10 + y3, month, day, h0 * 10 + h1, m0 * 10 + m1, s0 * 10 + s1,
            offset: offset)
    }

    /// `Weekday, D[D] Month YYYY H[H]:MM[:SS] ZONE` with the weekday and month as words of any length (the
    /// form Indonesian portals write: `Rabu, 16 Maret 2025 10:56 WIB`), read in one pass: the date
    /// `rfc822Slow` gives for it. Nil for anything else (a weekday that is a month or am/pm, a month the table
    /// does not know, a zone that is am/pm or unknown, and a date `make` refuses); the general reading then
    /// decides.
    static func rfc822Words(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        let n = b.count
        @inline(__always) func word(_ k: Int) -> Int {
            var e = k
            while e < n, HTMLScanner.isAlpha(b[e]) { e += 1 }
            return e
        }
        // The weekday: letters, then ", ". The general reading takes a month word or am/pm here for a month or
        // a meridiem (and a zone name only after a number or a time, so a zone-like weekday is just a word).
        let w = word(0)
        guard w > 0, w + 2 < n, b[w] == UInt8(ascii: ","), b[w + 1] == 0x20 else { return nil }
        let weekday = TagName(b, 0..<w)
        guard monthTable[weekday] == nil, weekday != Self.am, weekday != Self.pm else { return nil }
        // Day: one or two digits, then a space.
        var i = w + 2
        let (day, dayDigits) = digits(b, &i, max: 2)
        guard dayDigits > 0, i < n, b[i] == 0x20 else { return nil }
        // Month: letters the table knows, then a space.
        let ms = i + 1
        let me = word(ms)
        guard me > ms, me < n, b[me] == 0x20, let month = monthTable[TagName(b, ms..<me)] else { return nil }
        // Year: four digits, then a space; the time: H[H]:MM[:SS], then a space.
        i = me + 1
        guard i + 5 <= n, b[i + 4] == 0x20 else { return nil }
        let y0 = digit(b, i), y1 = digit(b, i + 1), y2 = digit(b, i + 2), y3 = digit(b, i + 3)
        guard y0 | y1 | y2 | y3 >= 0 else { return nil }
        i += 5
        let (hour, hourDigits) = digits(b, &i, max: 2)
        guard hourDigits > 0, i + 3 < n, b[i] == UInt8(ascii: ":") else { return nil }
        let m0 = digit(b, i + 1), m1 = digit(b, i + 2)
        guard m0 | m1 >= 0 else { return nil }
        i += 3
        var second = 0
        if b[i] == UInt8(ascii: ":") {
            guard i + 3 < n else { return nil }
            let s0 = digit(b, i + 1), s1 = digit(b, i + 2)
            guard s0 | s1 >= 0 else { return nil }
            second = s0 * 10 + s1
            i += 3
        }
        // The zone: letters to the end, a name the table knows (not am/pm, which set a meridiem instead).
        guard b[i] == 0x20 else { return nil }
        i += 1
        guard i < n, word(i) == n else { return nil }
        let z = TagName(b, i..<n)
        guard z != Self.am, z != Self.pm, let offset = zone(z) else { return nil }
        return make(
            y0 * 1000 + y1 * 100 + y2 * 10 + y3, month, day, hour, m0 * 10 + m1, second, offset: offset)
    }

    static func rfc822(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        if let d = rfc822Common(b) { return d }
        if let d = rfc822Words(b) { return d }
        return rfc822Slow(b)
    }

    static func rfc822Slow(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        // The numbers that are not part of the time are read as day and year as they come (no array per date):
        // `numberCount` of them so far; `badNumbers` when they cannot be a day and a year.
        // Plain integers with sentinels instead of optionals (-1: no day or year yet; 0: no month; `hasOffset`;
        // `meridiem` 0 none, 1 am, 2 pm): fewer values for the loop to keep, the same reading.
        var numberCount = 0
        var day = -1
        var year = -1
        var badNumbers = false
        func addNumber(_ value: Int, _ digits: Int) {
            numberCount += 1
            if digits >= 3 {
                if year >= 0 { badNumbers = true }
                year = value
            } else if day < 0 {
                day = value
            } else if year < 0 {
                year = twoDigitYear(value)
            } else {
                badNumbers = true
            }
        }
        // h:m[:s], `timeCount` parts (0 before a time is seen).
        var time = (0, 0, 0)
        var timeCount = 0
        var offset = 0
        var hasOffset = false
        var meridiem = 0
        var monthValue = 0
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c >= 0x30 && c <= 0x39 {
                let (v, cnt) = digits(b, &i)
                if i < n, b[i] == UInt8(ascii: ":") || (b[i] == UInt8(ascii: ".") && cnt <= 2 && numberCount >= 2 && timeCount == 0) {
                    // A time: h:m[:s] (Indonesian portals also write 10.00).
                    let sep = b[i]
                    var parts = (v, 0, 0)
                    var partCount = 1
                    while i < n, b[i] == sep {
                        i += 1
                        let (p, pc) = digits(b, &i)
                        guard pc >= 1, pc <= 2 else { return nil }
                        if partCount == 1 { parts.1 = p } else if partCount == 2 { parts.2 = p }
                        partCount += 1
                    }
                    if i < n, b[i] == UInt8(ascii: "."), partCount == 3 {
                        i += 1
                        _ = digits(b, &i)
                    }
                    guard partCount <= 3, timeCount == 0 else { return nil }
                    time = parts
                    timeCount = partCount
                } else {
                    addNumber(v, cnt)
                }
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                i += 1
                let start = i
                let (v, cnt) = digits(b, &i)
                guard timeCount > 0 || numberCount >= 3 || monthValue != 0 else {
                    if cnt == 0 { continue }
                    addNumber(v, cnt)
                    continue
                }
                guard cnt > 0 else { return nil }
                var secs: Int
                if cnt == 4 {
                    secs = (v / 100) * 3600 + (v % 100) * 60
                } else if cnt <= 2 {
                    secs = v * 3600
                    if i < n, b[i] == UInt8(ascii: ":") {
                        i += 1
                        let (m, mc) = digits(b, &i)
                        guard mc == 2 else { return nil }
                        secs += m * 60
                    }
                } else {
                    _ = start
                    return nil
                }
                offset = c == UInt8(ascii: "-") ? -secs : secs
                hasOffset = true
            } else if HTMLScanner.isAlpha(c) {
                let start = i
                while i < n, HTMLScanner.isAlpha(b[i]) || b[i] == UInt8(ascii: "/") || b[i] == UInt8(ascii: "'") { i += 1 }
                // ASCII letters, `/` and `'` only: packing lower-cases exactly as `lowercased()` would, and the
                // words these tables hold are all short (a long word matches none of them, as before).
                let w = TagName(b, start..<i)
                if let m = monthTable[w], monthValue == 0 {
                    monthValue = m
                } else if w == Self.am || w == Self.pm {
                    meridiem = w == Self.pm ? 2 : 1
                } else if timeCount > 0 || numberCount >= 2, !hasOffset, let z = zone(w) {
                    offset = z
                    hasOffset = true
                    // "GMT+7", "UTC-05:00"
                    if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                        let neg = b[i] == UInt8(ascii: "-")
                        i += 1
                        let (v, cnt) = digits(b, &i)
                        var secs = cnt == 4 ? (v / 100) * 3600 + (v % 100) * 60 : v * 3600
                        if cnt <= 2, i < n, b[i] == UInt8(ascii: ":") {
                            i += 1
                            secs += digits(b, &i).value * 60
                        }
                        offset = z + (neg ? -secs : secs)
                    }
                }
            } else if c >= 0x80 {
                return nil
            } else {
                i += 1
            }
        }
        guard monthValue != 0, !badNumbers, day >= 0, year >= 0 else { return nil }
        var (h, mi, s) = time
        if timeCount > 0, meridiem != 0 {
            let pm = meridiem == 2
            if pm && h < 12 { h += 12 }
            if !pm && h == 12 { h = 0 }
        }
        return make(year, monthValue, day, h, mi, s, offset: offset)
    }
}
