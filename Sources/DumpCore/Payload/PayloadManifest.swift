/// The parts of update_engine's `DeltaArchiveManifest` that extracting a full payload needs.
public struct PayloadManifest: Sendable, Hashable {
    /// Bytes per block (manifest field 3; 4096 when absent).
    public var blockSize: UInt32 = 4096
    /// 0 for full payloads; incrementals have 1 and up (field 12).
    public var minorVersion: UInt32 = 0
    /// True when the payload updates only some partitions (field 16) — an incremental.
    public var partialUpdate = false
    /// Operations of the old, pre-partition manifest layout (fields 1 and 2); counted to refuse them.
    public var legacyOperationCount = 0
    /// The partitions in manifest order (field 13).
    public var partitions: [PayloadPartitionUpdate] = []

    public init() {}
}

/// One partition's update (`PartitionUpdate`).
public struct PayloadPartitionUpdate: Sendable, Hashable {
    /// `partition_name` (field 1).
    public var name = ""
    /// `new_partition_info.size` (field 7, sub-field 1); nil when absent.
    public var newSize: UInt64?
    /// `new_partition_info.hash` (field 7, sub-field 2): SHA-256 of the whole new image, when given.
    public var newHash: [UInt8]?
    /// `operations` (field 8), in order.
    public var operations: [PayloadOperation] = []
    /// `hash_tree_extent` (11) and `fec_extent` (15): ranges Virtual A/B devices may compute themselves.
    public var hashTreeExtent: PayloadExtent?
    public var fecExtent: PayloadExtent?
    /// `hash_tree_data_extent` (10) and `fec_data_extent` (14): the ranges those are computed over.
    public var hashTreeDataExtent: PayloadExtent?
    public var fecDataExtent: PayloadExtent?

    public init(name: String = "") { self.name = name }
}

/// One install operation (`InstallOperation`).
public struct PayloadOperation: Sendable, Hashable {
    /// `type` (field 1).
    public var type: PayloadOperationType = .replace
    /// `data_offset` (2) and `data_length` (3): the blob, relative to the payload's data offset.
    public var dataOffset: UInt64 = 0
    public var dataLength: UInt64 = 0
    /// `src_extents` (4): only incremental operations have them.
    public var sourceExtents: [PayloadExtent] = []
    /// `dst_extents` (6): where the output goes, in order.
    public var destinationExtents: [PayloadExtent] = []
    /// `data_sha256_hash` (8): SHA-256 of the stored blob, when given.
    public var dataSHA256: [UInt8]?

    public init(type: PayloadOperationType = .replace) { self.type = type }

    /// The blocks the operation writes.
    public var destinationBlocks: UInt64 { destinationExtents.reduce(0) { $0 &+ $1.blockCount } }
}

/// A run of blocks (`Extent`: start_block 1, num_blocks 2).
public struct PayloadExtent: Sendable, Hashable {
    public var startBlock: UInt64
    public var blockCount: UInt64

    public init(startBlock: UInt64, blockCount: UInt64) {
        self.startBlock = startBlock
        self.blockCount = blockCount
    }
}

/// An `InstallOperation.Type` value; unknown values are kept so messages can name them.
public struct PayloadOperationType: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let replace = Self(rawValue: 0)
    public static let replaceBz = Self(rawValue: 1)
    public static let zero = Self(rawValue: 6)
    public static let discard = Self(rawValue: 7)
    public static let replaceXz = Self(rawValue: 8)
    public static let zstd = Self(rawValue: 14)

    /// The types a full payload uses: everything else needs the source images.
    public var isFull: Bool { [0, 1, 6, 7, 8, 14].contains(rawValue) }

    /// True for the types whose output comes from a data blob.
    public var carriesData: Bool { [0, 1, 8, 14].contains(rawValue) }

    /// update_metadata.proto's name for the type.
    public var description: String {
        let names = [
            "REPLACE", "REPLACE_BZ", "MOVE", "BSDIFF", "SOURCE_COPY", "SOURCE_BSDIFF", "ZERO", "DISCARD", "REPLACE_XZ",
            "PUFFDIFF", "BROTLI_BSDIFF", "ZUCCHINI", "LZ4DIFF_BSDIFF", "LZ4DIFF_PUFFDIFF", "ZSTD",
        ]
        return rawValue < UInt64(names.count) ? names[Int(rawValue)] : "unknown operation type \(rawValue)"
    }
}
