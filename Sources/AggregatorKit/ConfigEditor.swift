public import Foundation

/// A feed to write into `feeds.toml`.
public struct NewFeed: Sendable, Hashable {
    public var name: String
    public var url: String
    public var title: String?
    public var tags: [String]
    public var interval: String?
    public var timeout: String?
    public var keep: String?

    public init(
        name: String, url: String, title: String? = nil, tags: [String] = [], interval: String? = nil,
        timeout: String? = nil, keep: String? = nil
    ) {
        self.name = name
        self.url = url
        self.title = title
        self.tags = tags
        self.interval = interval
        self.timeout = timeout
        self.keep = keep
    }
}

/// Edits `feeds.toml` the way a careful person would: new feeds are appended as `[[feeds]]` blocks and a removed
/// feed's block is cut out, every other byte (comments, order, formatting) stays as the user wrote it. The result
/// is validated with the real config reader before it replaces the file atomically (temp file + rename), so a
/// failed edit changes nothing.
public enum ConfigEditor {
    /// The config text with `feeds` appended.
    public static func appending(_ feeds: [NewFeed], to text: String) -> String {
        guard !feeds.isEmpty else { return text }
        var out = text
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        for feed in feeds {
            if !out.isEmpty && !out.hasSuffix("\n\n") { out += "\n" }
            out += block(for: feed)
        }
        return out
    }

    /// One `[[feeds]]` block.
    public static func block(for feed: NewFeed) -> String {
        var lines = ["[[feeds]]", "name = \(quoted(feed.name))", "url = \(quoted(feed.url))"]
        if let title = feed.title, !title.isEmpty { lines.append("title = \(quoted(title))") }
        if !feed.tags.isEmpty { lines.append("tags = [\(feed.tags.map(quoted).joined(separator: ", "))]") }
        if let interval = feed.interval { lines.append("interval = \(quoted(interval))") }
        if let timeout = feed.timeout { lines.append("timeout = \(quoted(timeout))") }
        if let keep = feed.keep { lines.append("keep = \(quoted(keep))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The config text without the `[[feeds]]` block whose name is `name`, together with the comment lines
    /// directly above its header. Nil when no such block is written as a `[[feeds]]` table.
    public static func removing(feed name: String, from text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        let headers = lines.indices.filter { isHeader(lines[$0]) }
        for (position, start) in headers.enumerated() where isFeedsHeader(lines[start]) {
            var end = position + 1 < headers.count ? headers[position + 1] : lines.count
            guard lines[start..<end].contains(where: { nameValue(in: $0) == name }) else { continue }
            // Comments and blank lines just before the next header introduce that one: give them back.
            while end - 1 > start, isBlankOrComment(lines[end - 1]) { end -= 1 }
            // Comments right above our header (no blank line between) describe this feed: take them along.
            var first = start
            while first > 0, lines[first - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { first -= 1 }
            lines.removeSubrange(first..<end)
            // Leave at most one blank line where the block was.
            while first > 0, first < lines.count, lines[first].trimmingCharacters(in: .whitespaces).isEmpty,
                lines[first - 1].trimmingCharacters(in: .whitespaces).isEmpty
            {
                lines.remove(at: first)
            }
            return lines.joined(separator: "\n")
        }
        return nil
    }

    /// Appends `feeds` to the config file at `path`, atomically, after checking the result is a valid config.
    /// - Throws: `ConfigError` when the file cannot be read or written or the result would not load.
    public static func append(_ feeds: [NewFeed], toFile path: String) throws(ConfigError) -> Config {
        let target = resolvedPath(path)
        let text = try read(target, shownAs: path)
        return try write(appending(feeds, to: text), to: target, shownAs: path)
    }

    /// Removes the feed `name` from the config file at `path`, atomically.
    /// - Throws: `ConfigError` when there is no such `[[feeds]]` block or the result would not load.
    public static func remove(feed name: String, fromFile path: String) throws(ConfigError) -> Config {
        let target = resolvedPath(path)
        let text = try read(target, shownAs: path)
        guard let edited = removing(feed: name, from: text) else {
            throw ConfigError(file: path, line: nil, message: "no [[feeds]] block named '\(name)' (remove it by hand)")
        }
        let config = try write(
            edited, to: target, shownAs: path,
            check: { config throws(ConfigError) in
                if config.feeds.contains(where: { $0.name == name }) {
                    throw ConfigError(
                        file: path, line: nil, message: "feed '\(name)' is defined twice; remove it by hand")
                }
            })
        return config
    }

    // MARK: details

    static func read(_ path: String, shownAs shown: String) throws(ConfigError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: shown, line: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: shown, line: nil, message: "not UTF-8 text")
        }
        return text
    }

    static func write(
        _ text: String, to path: String, shownAs shown: String,
        check: (Config) throws(ConfigError) -> Void = { _ in }
    ) throws(ConfigError) -> Config {
        let config: Config
        do {
            config = try Config.parse(text, path: shown)
        } catch {
            throw ConfigError(
                file: shown, line: error.line,
                message: "the edit would break the config (\(error.message)); nothing changed")
        }
        try check(config)
        do {
            try AtomicFile.write(text, to: path)
        } catch {
            throw ConfigError(file: shown, line: nil, message: "cannot write: \(error)")
        }
        return config
    }

    /// Edits go to the file a symlink points to, so the link stays a link.
    static func resolvedPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// A TOML basic string.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func isHeader(_ line: String) -> Bool {
        line.trimmingCharacters(in: .whitespaces).hasPrefix("[")
    }

    static func isFeedsHeader(_ line: String) -> Bool {
        let stripped = line.trimmingCharacters(in: .whitespaces)
        guard stripped.hasPrefix("[[") else { return false }
        let inside = stripped.dropFirst(2).prefix { $0 != "]" }
        return inside.trimmingCharacters(in: .whitespaces) == "feeds"
    }

    static func isBlankOrComment(_ line: String) -> Bool {
        let stripped = line.trimmingCharacters(in: .whitespaces)
        return stripped.isEmpty || stripped.hasPrefix("#")
    }

    /// The value of a `name = "..."` line (basic or literal string), else nil.
    static func nameValue(in line: String) -> String? {
        let stripped = line.trimmingCharacters(in: .whitespaces)
        guard stripped.hasPrefix("name") else { return nil }
        let rest = stripped.dropFirst(4).trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("=") else { return nil }
        let value = rest.dropFirst().trimmingCharacters(in: .whitespaces)
        guard let quote = value.first, quote == "\"" || quote == "'" else { return nil }
        let body = value.dropFirst()
        guard let close = body.firstIndex(of: quote) else { return nil }
        return String(body[..<close])
    }
}
