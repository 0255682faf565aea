/// One piece of a partition image laid out inside a bigger file (a logical partition inside
/// super.img, an image stored in a zip): either bytes of that file or zeros.
public struct ImageExtent: Sendable, Hashable {
    /// Where the piece's bytes come from.
    public enum Source: Sendable, Hashable {
        /// Bytes at this offset of the containing file (or slice).
        case data(offset: UInt64)
        /// Zeros (a hole; nothing is stored).
        case zero
    }

    /// The piece's length in bytes.
    public var length: UInt64
    public var source: Source

    public init(length: UInt64, source: Source) {
        self.length = length
        self.source = source
    }

    /// The whole of a `length`-byte range starting at `offset`.
    public static func data(at offset: UInt64, length: UInt64) -> ImageExtent {
        ImageExtent(length: length, source: .data(offset: offset))
    }
}
