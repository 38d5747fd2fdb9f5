import Feeds
import Foundation
public import Store

/// How one line (a plain-text paragraph) of a member relates to the representative's text.
public enum LineStatus: String, Sendable {
    /// The representative has the same line (compared without case, punctuation or spacing).
    case shared
    /// The representative has a close variant (an edited dateline, a changed word): most words in common.
    case edited
    /// Only this copy has it (its own "Baca juga:" line, footer, added paragraph).
    case own
}

/// One line of a member's text with its status.
public struct MemberLine: Sendable {
    public var text: String
    public var status: LineStatus
}

/// One member of a cluster as the cluster page shows it.
public struct DigestMember: Sendable {
    public var item: StoredItem
    public var portal: String
    public var link: String?
    public var isRepresentative: Bool
    /// Its text, line by line; for the representative every line is `.shared`.
    public var lines: [MemberLine]
    /// How many of the representative's lines this copy lacks.
    public var missingLines: Int
}

/// A cluster with each member's text compared line by line with the representative.
public struct DigestClusterView: Sendable {
    public var cluster: StoredCluster
    public var members: [DigestMember]

    /// - Parameter portalNames: display name per feed name (the config's `title`).
    public init(cluster: StoredCluster, portalNames: [String: String] = [:]) {
        self.cluster = cluster
        let representative = cluster.items.first { $0.id == cluster.representativeItemID } ?? cluster.items.first
        let reference = representative.map { Self.lines(of: $0) } ?? []
        let referenceKeys = reference.map(Self.key)
        let referenceWords = reference.map(Self.words)
        members = cluster.items.map { item in
            let own = Self.lines(of: item)
            let isRepresentative = item.id == representative?.id
            var matched = Set<Int>()
            let lines = own.map { line -> MemberLine in
                if isRepresentative { return MemberLine(text: line, status: .shared) }
                let key = Self.key(line)
                if let index = referenceKeys.firstIndex(of: key) {
                    matched.insert(index)
                    return MemberLine(text: line, status: .shared)
                }
                let words = Self.words(line)
                var best = (index: -1, score: 0.0)
                for (index, candidate) in referenceWords.enumerated() {
                    let score = Self.overlap(words, candidate)
                    if score > best.score { best = (index, score) }
                }
                if best.score >= 0.6 {
                    matched.insert(best.index)
                    return MemberLine(text: line, status: .edited)
                }
                return MemberLine(text: line, status: .own)
            }
            return DigestMember(
                item: item, portal: portalNames[item.feed] ?? item.feedTitle ?? item.feed,
                link: DigestBuilder.safeLink(item.link), isRepresentative: isRepresentative, lines: lines,
                missingLines: isRepresentative ? 0 : reference.count - matched.count)
        }
    }

    /// The plain-text paragraphs of an item: its content HTML split on block-level tags, each piece turned into
    /// plain text by the parser's `HTMLText`; the summary when there is no content.
    public static func lines(of item: StoredItem) -> [String] {
        if let content = item.content, !content.isEmpty {
            let lines = paragraphs(fromHTML: content)
            if !lines.isEmpty { return lines }
        }
        guard let summary = item.summary else { return [] }
        return summary.split(whereSeparator: \.isNewline).map {
            HTMLText.collapsingWhitespace(String($0))
        }.filter { !$0.isEmpty }
    }

    /// Splits an HTML fragment into plain-text paragraphs.
    public static func paragraphs(fromHTML html: String) -> [String] {
        HTMLText.paragraphs(fromHTML: html)
    }

    /// A line's comparison key: letters and digits only, lower-cased.
    static func key(_ line: String) -> String {
        String(line.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    static func words(_ line: String) -> Set<String> {
        Set(line.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
    }

    /// Dice coefficient of two lines' word sets: a line with a changed dateline or word still scores high,
    /// while a short line inside a long one does not.
    static func overlap(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
    }
}
