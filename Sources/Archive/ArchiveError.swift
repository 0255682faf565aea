/// A libarchive failure, with the archive's path and libarchive's own message.
public struct ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive file.
    public var path: String
    /// The libarchive function that failed.
    public var function: String
    /// libarchive's message (`archive_error_string`).
    public var message: String

    public var description: String { "\(path): \(message.isEmpty ? "\(function) failed" : message)" }
}
