#if canImport(Glibc)
internal import Glibc
#endif

/// A failure of the staging store or of reading a tree into it.
public struct StagingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done, to which path.
    public var message: String
    /// The `errno` text, when a system call failed.
    public var cause: String

    public init(_ message: String, cause: String = "") {
        self.message = message
        self.cause = cause
    }

    static func system(_ message: String, errno code: Int32) -> StagingError {
        StagingError(message, cause: String(cString: strerror(code)))
    }

    public var description: String { cause.isEmpty ? message : "\(message): \(cause)" }
}
