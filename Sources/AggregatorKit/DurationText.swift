import Foundation

/// Durations as users write them: `90m`, `24h`, `7d`, `30s`, `2w`, or combined like `1h30m`.
public enum DurationText {
    /// Seconds in `text`, or nil when it is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: Double
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            total += value * unit
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total >= 0 else { return nil }
        return total
    }

    /// A compact rendering of a number of seconds (`45s`, `15m`, `2h30m`, `3d`).
    public static func format(_ seconds: Double) -> String {
        var rest = Int(seconds.rounded())
        if rest < 60 { return "\(rest)s" }
        var parts: [String] = []
        for (unit, name) in [(86_400, "d"), (3600, "h"), (60, "m")] where rest >= unit {
            parts.append("\(rest / unit)\(name)")
            rest %= unit
        }
        return parts.prefix(2).joined()
    }
}

