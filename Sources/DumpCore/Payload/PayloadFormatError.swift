/// Why a payload.bin header or manifest was refused: where (a byte offset in the payload, when
/// known) and the cause. The firmware layer adds the file name.
public struct PayloadFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset in payload.bin the problem is at, when it has one.
    public var offset: UInt64?
    /// What is wrong, in words a user can act on.
    public var cause: String

    public init(offset: UInt64? = nil, cause: String) {
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        if let offset { return "at offset \(offset): \(cause)" }
        return cause
    }
}
