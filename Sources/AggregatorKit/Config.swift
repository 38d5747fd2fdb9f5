public import Foundation
public import Dedup
import TOMLKit

/// A configuration problem: which file, which line when known, and what is wrong, in one line.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// One `[[feeds]]` entry, validated.
public struct FeedConfig: Sendable, Hashable {
    public var name: String
    /// As written in the file.
    public var url: String
    /// Absolute: http(s):// or file:// (relative paths resolved against the config file's folder).
    public var resolvedURL: String
    public var title: String?
    public var tags: [String]
    /// Minimum seconds between fetches, when set.
    public var interval: Double?
    /// Whole-transfer timeout in seconds, when set.
    public var timeout: Double?
    /// Retention in seconds, when set.
    public var keep: Double?
}

/// `[settings]`, with defaults.
public struct Settings: Sendable {
    public var database: String?
    public var concurrency = 16
    public var perHost = 4
    public var userAgent = "aggregator/\(AggregatorVersion.current) (+https://github.com/aggregator/aggregator)"
    public var timeout = 30.0
    public var connectTimeout = 10.0
    public var maxBodyBytes = 16 << 20
    public var timeZone: TimeZone = .current
    public var keep: Double?
    public var interval: Double?
}

/// Values of the `[dedup]` table, by key; unknown keys and out-of-range values are rejected at load time.
public struct DedupOverrides: Sendable {
    public var values: [String: Double] = [:]

    /// The clustering settings: defaults with these values applied.
    public var settings: DedupSettings {
        var settings = DedupSettings()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { _ = settings.set(key, value) }
        return settings
    }
}

/// The whole validated `feeds.toml`.
public struct Config: Sendable {
    public var path: String
    public var settings: Settings
    public var feeds: [FeedConfig]
    public var dedup: DedupOverrides

    /// The folder holding the config file (relative paths resolve against it).
    public var directory: String { (path as NSString).deletingLastPathComponent }

    /// Reads and validates a config file.
    /// - Throws: `ConfigError` naming the file, the line when known, and the problem.
    public static func load(path: String) throws(ConfigError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, line: nil, message: exists ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, message: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses config text; `path` names the file in errors and anchors relative paths.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> Config {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: path, line: error.source.begin.line, message: "syntax error: \(error.description)")
        } catch {
            throw ConfigError(file: path, line: nil, message: "syntax error: \(error)")
        }
        var reader = ConfigReader(text: text, path: path)
        return try reader.read(table)
    }
}

/// Walks the TOML table by hand so every problem gets a precise message and, where possible, a line.
private struct ConfigReader {
    /// The file's lines with surrounding blanks removed, read once.
    let lines: [String]
    /// Table headers (`[settings]`, `[[feeds]]`) → the 1-based lines where they appear, in order.
    let headers: [String: [Int]]
    let path: String

    init(text: String, path: String) {
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var headers: [String: [Int]] = [:]
        for (index, line) in lines.enumerated() where line.hasPrefix("[") {
            let closing = line.hasPrefix("[[") ? "]]" : "]"
            if let end = line.range(of: closing) {
                headers[String(line[..<end.upperBound]), default: []].append(index + 1)
            }
        }
        self.headers = headers
        self.path = path
    }

    static let topKeys = ["settings", "feeds", "dedup"]
    static let settingsKeys = [
        "database", "concurrency", "per_host", "user_agent", "timeout", "connect_timeout", "max_body_size",
        "timezone", "keep", "interval",
    ]
    static let feedKeys = ["name", "url", "title", "tags", "interval", "timeout", "keep"]
    static let dedupKeys = DedupSettings.configurationKeys

    func fail(_ message: String, line: Int? = nil) -> ConfigError {
        ConfigError(file: path, line: line, message: message)
    }

    /// Line of the header `[name]` or the `occurrence`-th `[[name]]`.
    func headerLine(_ name: String, array: Bool, occurrence: Int = 0) -> Int? {
        let found = headers[array ? "[[\(name)]]" : "[\(name)]"] ?? []
        return occurrence < found.count ? found[occurrence] : nil
    }

    /// Line of `key =` inside the section starting at `start` (1-based; nil: the top level), before the next header.
    func keyLine(_ key: String, after start: Int?) -> Int? {
        var index = start ?? 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("[") { return nil }
            if line.hasPrefix(key) {
                let rest = line.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
                if rest.hasPrefix("=") { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    func unknownKey(_ key: String, in section: String, known: [String], line: Int?) -> ConfigError {
        var message = "unknown key '\(key)' in \(section)"
        if let suggestion = Suggest.closest(to: key, in: known) { message += " (did you mean '\(suggestion)'?)" }
        return fail(message, line: line)
    }

    func typeName(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a date/time"
        }
    }

    mutating func read(_ root: TOMLTable) throws(ConfigError) -> Config {
        for key in root.keys where !Self.topKeys.contains(key) {
            throw unknownKey(key, in: "the top level", known: Self.topKeys, line: keyLine(key, after: nil) ?? headerLine(key, array: false))
        }
        var settings = Settings()
        if let value = root["settings"] {
            guard let table = value.table else {
                throw fail("'settings' must be a table ([settings]), not \(typeName(value))")
            }
            settings = try readSettings(table)
        }
        var feeds: [FeedConfig] = []
        if let value = root["feeds"] {
            guard let array = value.array else {
                throw fail("'feeds' must be an array of tables ([[feeds]]), not \(typeName(value))")
            }
            var names: [String: Int] = [:]
            for (index, element) in array.enumerated() {
                let line = headerLine("feeds", array: true, occurrence: index)
                guard let table = element.table else {
                    throw fail("feed #\(index + 1) must be a table", line: line)
                }
                let feed = try readFeed(table, index: index, line: line)
                if let previous = names[feed.name] {
                    throw fail("duplicate feed name '\(feed.name)' (feeds #\(previous + 1) and #\(index + 1))", line: line)
                }
                names[feed.name] = index
                feeds.append(feed)
            }
        }
        var dedup = DedupOverrides()
        if let value = root["dedup"] {
            guard let table = value.table else { throw fail("'dedup' must be a table ([dedup])") }
            let start = headerLine("dedup", array: false)
            for key in table.keys {
                let line = keyLine(key, after: start)
                guard Self.dedupKeys.contains(key) else {
                    throw unknownKey(key, in: "[dedup]", known: Self.dedupKeys, line: line)
                }
                guard let entry = table[key], let number = entry.double ?? entry.int.map(Double.init) else {
                    throw fail("[dedup] \(key) must be a number", line: line)
                }
                var probe = DedupSettings()
                guard probe.set(key, number) else {
                    throw fail("[dedup] \(key) = \(number) is out of range", line: line)
                }
                dedup.values[key] = number
            }
        }
        return Config(path: path, settings: settings, feeds: feeds, dedup: dedup)
    }

    func string(_ table: TOMLTable, _ key: String, section: String, line: Int?) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else {
            throw fail("\(section) \(key) must be a string, not \(typeName(value))", line: line)
        }
        return string
    }

    func integer(_ table: TOMLTable, _ key: String, section: String, line: Int?, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int else {
            throw fail("\(section) \(key) must be an integer, not \(typeName(value))", line: line)
        }
        guard range.contains(number) else {
            throw fail("\(section) \(key) must be between \(range.lowerBound) and \(range.upperBound), not \(number)", line: line)
        }
        return number
    }

    func duration(_ table: TOMLTable, _ key: String, section: String, line: Int?) throws(ConfigError) -> Double? {
        guard let value = table[key] else { return nil }
        if let seconds = value.int { return Double(seconds) }
        guard let text = value.string else {
            throw fail("\(section) \(key) must be a duration like \"30m\", not \(typeName(value))", line: line)
        }
        guard let seconds = DurationText.seconds(text), seconds > 0 else {
            throw fail("\(section) \(key) is not a duration: \"\(text)\" (write e.g. \"90s\", \"30m\", \"24h\", \"7d\")", line: line)
        }
        return seconds
    }

    func readSettings(_ table: TOMLTable) throws(ConfigError) -> Settings {
        var settings = Settings()
        let start = headerLine("settings", array: false)
        let section = "[settings]"
        for key in table.keys where !Self.settingsKeys.contains(key) {
            throw unknownKey(key, in: section, known: Self.settingsKeys, line: keyLine(key, after: start))
        }
        func line(_ key: String) -> Int? { keyLine(key, after: start) }
        settings.database = try string(table, "database", section: section, line: line("database"))
        if settings.database?.isEmpty == true { throw fail("[settings] database must not be empty", line: line("database")) }
        settings.concurrency = try integer(table, "concurrency", section: section, line: line("concurrency"), range: 1...256) ?? settings.concurrency
        settings.perHost = try integer(table, "per_host", section: section, line: line("per_host"), range: 1...64) ?? settings.perHost
        if let agent = try string(table, "user_agent", section: section, line: line("user_agent")) {
            guard !agent.isEmpty, !agent.contains(where: { $0.isNewline }) else {
                throw fail("[settings] user_agent must be one non-empty line", line: line("user_agent"))
            }
            settings.userAgent = agent
        }
        settings.timeout = try duration(table, "timeout", section: section, line: line("timeout")) ?? settings.timeout
        settings.connectTimeout = try duration(table, "connect_timeout", section: section, line: line("connect_timeout")) ?? settings.connectTimeout
        if let size = table["max_body_size"] {
            guard let bytes = size.int ?? size.string.flatMap(ByteSize.parse), bytes > 0 else {
                throw fail("[settings] max_body_size must be a size like \"16MiB\"", line: line("max_body_size"))
            }
            settings.maxBodyBytes = bytes
        }
        if let zone = try string(table, "timezone", section: section, line: line("timezone")) {
            guard let timeZone = TimeZone(identifier: zone) else {
                throw fail("[settings] timezone '\(zone)' is not a known time zone (e.g. \"Asia/Jakarta\")", line: line("timezone"))
            }
            settings.timeZone = timeZone
        }
        settings.keep = try duration(table, "keep", section: section, line: line("keep"))
        settings.interval = try duration(table, "interval", section: section, line: line("interval"))
        return settings
    }

    func readFeed(_ table: TOMLTable, index: Int, line start: Int?) throws(ConfigError) -> FeedConfig {
        let section = "feed #\(index + 1)"
        for key in table.keys where !Self.feedKeys.contains(key) {
            throw unknownKey(key, in: "[[feeds]] #\(index + 1)", known: Self.feedKeys, line: keyLine(key, after: start))
        }
        func line(_ key: String) -> Int? { keyLine(key, after: start) ?? start }
        guard let name = try string(table, "name", section: section, line: line("name")) else {
            throw fail("\(section) has no name (name = \"short-name\")", line: start)
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }) else {
            throw fail("feed name '\(name)' must be 1-64 characters of a-z, 0-9, '_' and '-'", line: line("name"))
        }
        let named = "feed '\(name)'"
        guard let url = try string(table, "url", section: named, line: line("url")) else {
            throw fail("\(named) has no url", line: start)
        }
        guard let resolved = resolveURL(url) else {
            throw fail("\(named) url is not valid: \"\(url)\" (use http(s)://, file:// or a path)", line: line("url"))
        }
        let title = try string(table, "title", section: named, line: line("title"))
        var tags: [String] = []
        if let value = table["tags"] {
            guard let array = value.array else {
                throw fail("\(named) tags must be an array of strings, not \(typeName(value))", line: line("tags"))
            }
            for element in array {
                guard let tag = element.string, !tag.isEmpty else {
                    throw fail("\(named) tags must be non-empty strings", line: line("tags"))
                }
                tags.append(tag)
            }
        }
        return FeedConfig(
            name: name, url: url, resolvedURL: resolved, title: title, tags: tags,
            interval: try duration(table, "interval", section: named, line: line("interval")),
            timeout: try duration(table, "timeout", section: named, line: line("timeout")),
            keep: try duration(table, "keep", section: named, line: line("keep")))
    }

    /// http(s) URLs are kept; file:// URLs and paths become absolute file:// URLs.
    func resolveURL(_ url: String) -> String? {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isNewline || $0 == " " }) else { return nil }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty else {
                return nil
            }
            return trimmed
        }
        if lower.hasPrefix("file://") {
            guard let parsed = URL(string: trimmed), parsed.isFileURL, !parsed.path.isEmpty else { return nil }
            return parsed.absoluteString
        }
        if lower.contains("://") { return nil }
        let base = (path as NSString).deletingLastPathComponent
        let absolute = trimmed.hasPrefix("/") ? trimmed : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(trimmed)
        let standardized = URL(fileURLWithPath: absolute).standardizedFileURL
        return standardized.absoluteString
    }
}

/// Sizes like `16MiB`, `512KB`, `1000000`.
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix(while: { $0.isNumber })
        guard let value = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        switch unit {
        case "", "b": return value
        case "k", "kb", "kib": return value << 10
        case "m", "mb", "mib": return value << 20
        case "g", "gb", "gib": return value << 30
        default: return nil
        }
    }
}

/// "Did you mean" by edit distance.
enum Suggest {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(2, word.count / 3) else { return nil }
        return best
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// The tool's version, shown in `--version` and the default User-Agent.
public enum AggregatorVersion {
    public static let current = "0.1.0"
}
