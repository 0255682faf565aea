public import DumpCore

/// A logical partition of a super image, ready to read: its name (slot suffix removed), its size
/// and where its bytes are in the super image.
public struct LogicalPartition: Sendable, Hashable {
    /// The name without `_a`/`_b` (`system`, `vendor`).
    public var name: String
    /// The partition's size in bytes (the sum of its extents).
    public var size: UInt64
    /// The partition's pieces in order; data offsets are relative to the super image's slice.
    public var extents: [ImageExtent]

    public init(name: String, size: UInt64, extents: [ImageExtent]) {
        self.name = name
        self.size = size
        self.extents = extents
    }
}
