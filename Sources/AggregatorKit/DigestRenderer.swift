public import Foundation
import Mustache
import Store

/// The digest's output formats.
public enum DigestFormat: String, Sendable, CaseIterable {
    case text, markdown, html, json, atom

    /// The template kind, for the formats rendered from templates.
    public var templateKind: TemplateKind? {
        switch self {
        case .text: .text
        case .markdown: .markdown
        case .html: .html
        case .json, .atom: nil
        }
    }
}

/// Renders a digest or a cluster page in one format, from the bundled templates or the user's own.
public struct DigestRenderer: Sendable {
    public var format: DigestFormat
    public var context: DigestContext
    /// `--template FILE`: used instead of the bundled template (text, markdown and html only).
    public var templatePath: String?
    /// `--feed-url`: the Atom feed's `rel="self"` link.
    public var feedURL: String?
    /// The Atom feed's `updated` when it has no entries.
    public var now: Date

    public init(
        format: DigestFormat, context: DigestContext, templatePath: String? = nil, feedURL: String? = nil,
        now: Date = Date()
    ) {
        self.format = format
        self.context = context
        self.templatePath = templatePath
        self.feedURL = feedURL
        self.now = now
    }

    /// - Throws: `TemplateError` when a template cannot be read or parsed, or one is given for json/atom.
    public func render(_ digest: DigestModel) throws -> String {
        switch format {
        case .json:
            try rejectTemplate()
            return Render.digestJSON(digest) + "\n"
        case .atom:
            try rejectTemplate()
            return DigestAtom.render(digest, timeZone: context.timeZone, selfLink: feedURL, now: now)
        case .text, .markdown, .html:
            let template = try template("digest")
            return DigestTemplates.render(template, context.digest(digest))
        }
    }

    /// A cluster page (html only: the text and json views of a cluster are `Render.clusterText`/`clusterJSON`).
    public func renderCluster(_ view: DigestClusterView) throws -> String {
        let template =
            try templatePath.map { try DigestTemplates.load(path: $0, kind: .html) }
            ?? DigestTemplates.bundled("cluster", kind: .html)
        return DigestTemplates.render(template, context.cluster(view))
    }

    func template(_ name: String) throws -> MustacheTemplate {
        guard let kind = format.templateKind else {
            throw TemplateError(description: "\(format.rawValue) has no template")
        }
        if let templatePath { return try DigestTemplates.load(path: templatePath, kind: kind) }
        return try DigestTemplates.bundled(name, kind: kind)
    }

    func rejectTemplate() throws {
        if templatePath != nil {
            throw TemplateError(description: "--template works with text, markdown and html, not \(format.rawValue)")
        }
    }
}
