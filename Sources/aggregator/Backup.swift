import AggregatorKit
import ArgumentParser
import Foundation
import Store

extension Aggregator {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the database, even while a fetch is writing.",
            discussion:
                "Uses SQLite's online backup API into a temporary file beside FILE, checks it, then renames it into place."
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Where to write the copy.", valueName: "file")) var file: String
        @Flag(help: "Replace FILE if it exists.") var force = false

        func run() async throws {
            try await guarded {
                let config = try global.optionalConfig()
                let started = Date()
                let source = try global.openStore(config)
                if FileManager.default.fileExists(atPath: file) && !force {
                    throw Failure("\(file) exists; pass --force to replace it")
                }
                let target = URL(fileURLWithPath: file)
                let temp = target.deletingLastPathComponent()
                    .appendingPathComponent(
                        ".\(target.lastPathComponent).backup-\(ProcessInfo.processInfo.processIdentifier)")
                try? FileManager.default.removeItem(at: temp)
                defer { try? FileManager.default.removeItem(at: temp) }
                // One read transaction around the whole copy pins a WAL snapshot: the backup copies that snapshot
                // in its steps instead of restarting each time a running fetch commits.
                try source.db.execute("BEGIN DEFERRED; SELECT count(*) FROM sqlite_master;")
                do {
                    try source.db.backup(to: temp.path)
                    try source.db.execute("COMMIT")
                } catch {
                    try? source.db.execute("ROLLBACK")
                    throw error
                }
                // The copy must open as our database and pass SQLite's own check before it replaces anything.
                let items: Int
                do {
                    let copy = try Store(path: temp.path, readOnly: true)
                    let check = try copy.db.query("PRAGMA quick_check").first?.text(0) ?? "no answer"
                    guard check == "ok" else { throw Failure("backup to \(file) failed its check: \(check)") }
                    items = try copy.counts().items
                }
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temp.path + suffix) }
                if rename(temp.path, target.path) != 0 {
                    throw Failure("cannot move the backup into \(file): \(String(cString: strerror(errno)))")
                }
                if !global.quiet {
                    let size =
                        ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value
                        ?? 0
                    print(
                        "backed up \(items) items (\(ByteCount.format(size))) to \(file) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s"
                    )
                }
            }
        }
    }
}
