import AggregatorKit
import Foundation
import Testing

/// `aggregator parse` over many inputs: fetched a window at a time (memory stays flat), emitted in input order.
struct ParseInputsTests {
    @Test func emitsEveryInputInOrderAcrossWindows() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parseinputs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var inputs: [String] = []
        for k in 0..<11 {
            let path = dir.appendingPathComponent("feed\(k).xml").path
            let body = k == 5
                ? "<html><body>not a feed</body></html>"
                : "<rss version=\"2.0\"><channel><title>Feed \(k)</title><item><title>Item \(k)</title></item></channel></rss>"
            try Data(body.utf8).write(to: URL(fileURLWithPath: path))
            inputs.append(path)
        }
        inputs.append(dir.appendingPathComponent("missing.xml").path)
        var seen: [Int] = []
        var outputs: [Int: String] = [:]
        var failures: [Int] = []
        await ParseInputs.parse(inputs, userAgent: nil, format: .json, window: 3) { index, rendered in
            seen.append(index)
            switch rendered {
            case .success(let output, _): outputs[index] = output
            case .failure: failures.append(index)
            }
        }
        #expect(seen == Array(0..<12))
        #expect(failures == [5, 11])
        for k in 0..<11 where k != 5 {
            #expect(outputs[k]?.contains("\"title\":\"Item \(k)\"") == true)
        }
    }
}
