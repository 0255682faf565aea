/// The LP geometry block: where the metadata slots are and how big they may be. Stored at 4096
/// (primary) and 8192 (backup) of a super image, or at 0 of a metadata-only `super_empty.img`.
///
/// Layout (little-endian): magic 0x616C4467 @0, struct_size @4, SHA-256 of the struct (with this
/// field zeroed) @8, metadata_max_size @40, metadata_slot_count @44, logical_block_size @48.
public struct LPGeometry: Sendable, Hashable {
    public static let magic: UInt32 = 0x616C_4467
    /// The size of the struct this reader knows (a larger declared size is accepted).
    public static let knownStructSize = 52
    /// The size of the area each geometry copy occupies.
    public static let areaSize = 4096
    /// Largest metadata slot accepted (AOSP builds use 64 KiB); bounds the memory one read takes.
    public static let maximumMetadataSize: UInt32 = 16 << 20

    /// The capacity of one metadata slot (header + tables), a multiple of 512.
    public var metadataMaxSize: UInt32
    /// Number of metadata slots: 1 (non-A/B), 2 (A/B), 3 (Virtual A/B).
    public var metadataSlotCount: UInt32
    /// The logical block size of the super device, a multiple of 512.
    public var logicalBlockSize: UInt32

    public init(metadataMaxSize: UInt32, metadataSlotCount: UInt32, logicalBlockSize: UInt32) {
        self.metadataMaxSize = metadataMaxSize
        self.metadataSlotCount = metadataSlotCount
        self.logicalBlockSize = logicalBlockSize
    }

    /// True when `bytes` starts with the geometry magic.
    public static func hasMagic(_ bytes: some RandomAccessCollection<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        let b = Array(bytes.prefix(4))
        return b.lpU32(0) == magic
    }

    /// Parses and checks one geometry copy; `offset` is where `bytes` starts in the image (for
    /// errors); `sha256` hashes a buffer.
    public init(parsing bytes: [UInt8], at offset: UInt64, sha256: ([UInt8]) -> [UInt8]) throws(LPError) {
        func fail(_ field: Int, _ cause: String) -> LPError { LPError(offset: offset + UInt64(field), cause: cause) }
        guard bytes.count >= Self.knownStructSize else { throw fail(0, "LP geometry is truncated") }
        guard bytes.lpU32(0) == Self.magic else { throw fail(0, "invalid LP geometry magic") }
        let structSize = Int(bytes.lpU32(4))
        guard structSize >= Self.knownStructSize, structSize <= min(bytes.count, Self.areaSize) else {
            throw fail(4, "invalid LP geometry struct size \(structSize)")
        }
        let stored = Array(bytes[8..<40])
        guard sha256(Array(bytes[0..<structSize]).zeroing(8..<40)) == stored else {
            throw fail(8, "LP geometry checksum mismatch")
        }
        metadataMaxSize = bytes.lpU32(40)
        metadataSlotCount = bytes.lpU32(44)
        logicalBlockSize = bytes.lpU32(48)
        guard metadataMaxSize >= UInt32(LPHeader.minimumSize), metadataMaxSize % 512 == 0,
            metadataMaxSize <= Self.maximumMetadataSize
        else { throw fail(40, "invalid LP metadata max size \(metadataMaxSize)") }
        guard metadataSlotCount > 0 else { throw fail(44, "LP geometry has no metadata slot") }
        guard logicalBlockSize > 0, logicalBlockSize % 512 == 0 else {
            throw fail(48, "invalid LP logical block size \(logicalBlockSize)")
        }
    }
}
