/// Why a block OTA transfer list was rejected: the line (1-based) and the cause.
public struct TransferListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number, 0 when the problem is the list as a whole.
    public var line: Int
    public var cause: String

    public init(line: Int, cause: String) {
        self.line = line
        self.cause = cause
    }

    public var description: String { line > 0 ? "line \(line): \(cause)" : cause }
}
