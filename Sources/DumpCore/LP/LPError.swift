/// Why LP (logical partition) metadata was rejected: the byte offset of the offending field in
/// the super image, when known, and the cause.
public struct LPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Offset of the problem from the start of the super image.
    public var offset: UInt64?
    /// What is wrong.
    public var cause: String

    public init(offset: UInt64?, cause: String) {
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        if let offset { return "at offset \(offset): \(cause)" }
        return cause
    }
}
