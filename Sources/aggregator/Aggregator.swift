import AggregatorKit
import ArgumentParser
import Foundation
import Logging

@main
struct Aggregator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Fetch news feeds, group the same story from many portals, and read one digest entry per story.",
        version: AggregatorVersion.current,
        subcommands: [
            Fetch.self, Parse.self, Clusters.self, ReclusterCommand.self, ClusterCommand.self, Digest.self, Feeds.self, Explain.self,
            // Upkeep (issue 7)
            Add.self, Remove.self, ImportOPML.self, ExportOPML.self, Search.self, Prune.self, Backup.self, Stats.self,
        ])

    /// Log lines go to stderr, one per line (swift-log's stream handler).
    static let bootstrapLogging: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)

    /// Global options may come before the subcommand (`aggregator --config x fetch`) or after it.
    @OptionGroup var global: GlobalOptions
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Config file (env AGGREGATOR_CONFIG).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Database file (env AGGREGATOR_DB; default: settings.database, else ./aggregator.sqlite).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    @Flag(name: .long, help: "Print more detail (each transfer).")
    var verbose = false

    @Flag(name: .long, help: "No colour (also NO_COLOR).")
    var noColor = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The config path: --config, then AGGREGATOR_CONFIG, then ./feeds.toml.
    var configPath: String {
        config ?? environment["AGGREGATOR_CONFIG"] ?? "feeds.toml"
    }

    func loadConfig() throws -> Config {
        do {
            return try Config.load(path: configPath)
        } catch {
            throw Failure(error.description)
        }
    }

    /// The database path: --db, then AGGREGATOR_DB, then settings.database relative to the config, then ./aggregator.sqlite.
    func databasePath(_ config: Config?) -> String {
        if let db { return db }
        if let env = environment["AGGREGATOR_DB"], !env.isEmpty { return env }
        if let config, let database = config.settings.database {
            if database.hasPrefix("/") { return database }
            let directory = config.directory
            return directory.isEmpty ? database : (directory as NSString).appendingPathComponent(database)
        }
        return "aggregator.sqlite"
    }

    var useColor: Bool {
        !noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
    }

    /// Takes the run lock beside the database; when another run holds it, fails with exit code 75 (or waits).
    func lock(databasePath: String, wait: Bool) async throws -> RunLock {
        do {
            return try await RunLock.acquire(databasePath: databasePath, wait: wait)
        } catch let busy as RunLock.Busy {
            throw Failure(busy.description, code: 75)
        }
    }

    /// Config for read-only commands: optional, but a broken one is an error.
    func optionalConfig() throws -> Config? {
        if config == nil && environment["AGGREGATOR_CONFIG"] == nil && !FileManager.default.fileExists(atPath: configPath) {
            return nil
        }
        return try loadConfig()
    }
}

/// A user-facing failure: one line on stderr, exit code 1 (or the given one).
struct Failure: Error, CustomStringConvertible {
    let description: String
    let code: Int32
    init(_ message: String, code: Int32 = 1) {
        self.description = message
        self.code = code
    }
}

/// Writes one line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension AsyncParsableCommand {
    /// Runs `body`, turning our errors into one line on stderr and an exit code, never a stack trace.
    func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as Failure {
            printError("aggregator: \(failure.description)")
            throw ExitCode(failure.code)
        } catch let exit as ExitCode {
            throw exit
        } catch let error as any CustomStringConvertible & Error {
            printError("aggregator: \(error.description)")
            throw ExitCode(1)
        } catch {
            printError("aggregator: \(error)")
            throw ExitCode(1)
        }
    }
}
