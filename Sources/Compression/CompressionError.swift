/// A failure of the zlib or ISA-L codec.
public struct CompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The C function that failed.
    public var function: String
    /// The library's return code.
    public var code: Int32
    /// The library's message, when it gives one.
    public var message: String

    public var description: String { "\(function) failed (\(code))\(message.isEmpty ? "" : ": \(message)")" }
}
