/// The one error type of the Dedup module.
public struct DedupError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case truncatedFingerprint
        case unsupportedFingerprintVersion
        case invalidFingerprint
    }

    private let code: Code
    /// One lower-case line with the context.
    public let description: String

    static func truncated(_ what: String, at offset: Int, size: Int) -> DedupError {
        DedupError(
            code: .truncatedFingerprint,
            description: "fingerprint blob truncated reading \(what) at byte \(offset) of \(size)")
    }

    static func unsupportedVersion(_ version: UInt8) -> DedupError {
        DedupError(
            code: .unsupportedFingerprintVersion, description: "fingerprint blob has unsupported version \(version)")
    }

    static func invalid(_ reason: String) -> DedupError {
        DedupError(code: .invalidFingerprint, description: "invalid fingerprint blob: \(reason)")
    }
}
