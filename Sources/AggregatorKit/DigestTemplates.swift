import Foundation
import Mustache

/// An error loading or parsing a template: one lower-case line naming the file.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The output formats rendered from Mustache templates, and how each escapes what it inserts.
public enum TemplateKind: String, Sendable, CaseIterable {
    case html, markdown, text

    /// The Mustache content type `{{name}}` escapes with: HTML entities, Markdown backslashes, or nothing.
    var contentType: String {
        switch self {
        case .html: "HTML"
        case .markdown: MarkdownContentType.name
        case .text: "TEXT"
        }
    }

    var fileExtension: String {
        switch self {
        case .html: "html"
        case .markdown: "md"
        case .text: "txt"
        }
    }
}

/// Escapes what Markdown would read as markup (emphasis, links, raw HTML, headings, lists, tables).
struct MarkdownContentType: MustacheContentType {
    static let name = "MARKDOWN"

    func escapeText(_ text: String) -> String { Render.markdownEscape(text) }
}

/// The bundled templates (`Sources/AggregatorKit/Templates`) and the user's own (`--template FILE`).
public enum DigestTemplates {
    /// Registers the Markdown content type once; Mustache keeps content types in a locked global table.
    static let registered: Bool = {
        MustacheContentTypes.register(MarkdownContentType(), named: MarkdownContentType.name)
        return true
    }()

    /// The bundled templates, compiled into the binary (`.embedInCode("Templates")` in Package.swift), so an
    /// installed `aggregator` needs no resource folder beside it.
    static let bundledSources: [String: [UInt8]] = [
        "digest.html": PackageResources.digest_html_mustache, "digest.md": PackageResources.digest_md_mustache,
        "digest.txt": PackageResources.digest_txt_mustache, "cluster.html": PackageResources.cluster_html_mustache,
        "style.html": PackageResources.style_html_mustache,
    ]

    /// The bundled template `name` (`digest`, `cluster` or `style`) for `kind`.
    static func bundled(_ name: String, kind: TemplateKind) throws -> MustacheTemplate {
        let file = "\(name).\(kind.fileExtension)"
        guard let bytes = bundledSources[file] else {
            throw TemplateError(description: "no bundled \(kind.rawValue) template named \(name)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), kind: kind, name: file + ".mustache")
    }

    /// Parses the template at `path`; `{{name}}` in it escapes for `kind`.
    static func load(path: String, kind: TemplateKind) throws -> MustacheTemplate {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateError(description: "\(path): cannot read template")
        }
        return try parse(String(decoding: data, as: UTF8.self), kind: kind, name: path)
    }

    /// Parses template text; `{{name}}` in it escapes for `kind` (a template may still switch with a pragma).
    static func parse(_ text: String, kind: TemplateKind, name: String = "template") throws -> MustacheTemplate {
        _ = registered
        // A standalone pragma line renders as nothing, so prepending it leaves the template's output unchanged.
        let source = "{{% CONTENT_TYPE: \(kind.contentType) }}\n" + text
        do {
            return try MustacheTemplate(string: source)
        } catch let error as MustacheTemplate.ParserError {
            // Minus the pragma line; an error at the very end is reported on the last line.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            let line = min(max(1, error.context.lineNumber - 1), max(1, text.hasSuffix("\n") ? lines - 1 : lines))
            return try Self.fail("\(name):\(line): template error: \(words(String(describing: error.error)))")
        } catch {
            return try Self.fail("\(name): template error: \(error)")
        }
    }

    /// Renders `template` with `values`; templates may include the bundled stylesheet with `{{> style}}`.
    static func render(_ template: MustacheTemplate, _ values: [String: Any]) -> String {
        var library = MustacheLibrary()
        if let style = try? bundled("style", kind: .html) { library.register(style, named: "style") }
        return template.render(values, library: library)
    }

    /// "expectedSectionEnd" reads "expected section end".
    static func words(_ identifier: String) -> String {
        var out = ""
        for character in identifier {
            if character.isUppercase, !out.isEmpty { out += " " }
            out += character.lowercased()
        }
        return out
    }

    static func fail(_ message: String) throws -> MustacheTemplate {
        throw TemplateError(description: message)
    }
}
