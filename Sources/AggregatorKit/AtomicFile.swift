import Foundation

/// Writes files so a reader never sees half of one: a temp file in the same folder, then rename.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temp)
            if rename(temp.path, url.path) != 0 {
                let message = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                throw ConfigError(file: path, line: nil, message: "cannot write: \(message)")
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw ConfigError(file: path, line: nil, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
