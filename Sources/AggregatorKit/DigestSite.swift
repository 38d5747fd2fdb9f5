public import Foundation
public import Store

/// `digest --output-dir DIR`: the day's digest as `index.html` plus one page per multi-portal story,
/// `cluster-ID.html`, linking to each other. Each file is written atomically.
public enum DigestSite {
    public static let indexName = "index.html"

    public static func pageName(_ cluster: Int64) -> String { "cluster-\(cluster).html" }

    /// - Returns: the paths written, the digest first.
    @discardableResult
    public static func write(
        _ digest: DigestModel, store: Store, to directory: String, timeZone: TimeZone, portalNames: [String: String],
        templatePath: String? = nil
    ) throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TemplateError(description: "\(directory): cannot create the output folder")
        }
        let folder = URL(fileURLWithPath: directory)
        let digestContext = DigestContext(timeZone: timeZone, pageName: pageName)
        let index = folder.appendingPathComponent(indexName).path
        let html = try DigestRenderer(format: .html, context: digestContext, templatePath: templatePath).render(digest)
        try AtomicFile.write(html, to: index)
        var written = [index]
        let pages = DigestRenderer(format: .html, context: DigestContext(timeZone: timeZone, indexName: indexName))
        for entry in digest.stories {
            guard let cluster = try store.cluster(id: entry.cluster) else { continue }
            let page = folder.appendingPathComponent(pageName(entry.cluster)).path
            try AtomicFile.write(
                try pages.renderCluster(DigestClusterView(cluster: cluster, portalNames: portalNames)), to: page)
            written.append(page)
        }
        return written
    }
}
