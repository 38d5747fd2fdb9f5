import AggregatorKit
import ArgumentParser
import Feeds
import Foundation

extension Aggregator {
    struct ImportOPML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-opml",
            abstract: "Add the feeds of an OPML file (from another reader) to feeds.toml.",
            discussion: """
                Folders become tags, names come from the titles, feeds already configured are skipped. The config \
                is appended to (your text and comments stay) and replaced atomically; a malformed file changes nothing.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The OPML file ('-' for stdin).", valueName: "file")) var file: String
        @Flag(name: .customLong("dry-run"), help: "Show what would be added without changing feeds.toml.")
        var dryRun = false

        func run() async throws {
            try await guarded {
                let bytes: [UInt8]
                if file == "-" {
                    bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
                } else {
                    // Refuse an oversized file before reading it into memory (the reader checks again).
                    let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber
                    if let size, size.intValue > OPMLReader.defaultMaxBytes {
                        throw Failure(
                            "\(file): the file is \(size.intValue) bytes, more than the limit of \(OPMLReader.defaultMaxBytes)"
                        )
                    }
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw Failure(
                            "\(file): \(FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file")"
                        )
                    }
                    bytes = Array(data)
                }
                let document = try OPMLReader.parse(bytes, source: file == "-" ? "stdin" : file)
                let existing = FileManager.default.fileExists(atPath: global.configPath) ? try global.loadConfig() : nil
                let plan = OPML.plan(document, into: existing)
                if !dryRun && !plan.added.isEmpty {
                    _ = try ConfigEditor.append(plan.added, toFile: global.configPath)
                }
                guard !global.quiet else { return }
                for (feed, name) in plan.skipped { print("skipped \(feed): already configured as '\(name)'") }
                for title in plan.ignored { print("ignored \(title): not a feed (no http(s) xmlUrl)") }
                let verb = dryRun ? "would add" : "added"
                var names = plan.added.prefix(10).map(\.name).joined(separator: ", ")
                if plan.added.count > 10 { names += " and \(plan.added.count - 10) more" }
                print(
                    "\(verb) \(plan.added.count) feed\(plan.added.count == 1 ? "" : "s") to \(global.configPath)"
                        + (names.isEmpty ? "" : ": \(names)") + "; skipped \(plan.skipped.count)")
            }
        }
    }
}
