/// A manifest that passed every check, with what extraction needs to know up front: sizes, the
/// bytes to decode and to store, and whether each partition's whole-image hash can be checked.
///
/// Built by `PayloadPlan(manifest:dataAreaSize:)`, which refuses incremental payloads before
/// anything else, then unsafe names, absurd sizes, extents outside their partition, overlapping
/// writes and blobs outside the payload.
public struct PayloadPlan: Sendable {
    /// One partition to write.
    public struct Partition: Sendable {
        public var update: PayloadPartitionUpdate
        /// The image's exact size in bytes.
        public var size: UInt64
        /// Bytes the data-carrying operations decode (their extents' length).
        public var decodedBytes: UInt64
        /// Bytes ZERO and DISCARD operations cover (left as holes).
        public var zeroBytes: UInt64
        /// False when the partition declares hash-tree or FEC blocks that no operation writes
        /// (Virtual A/B leaves them to the device), so the whole-image hash cannot match.
        public var wholeImageHashApplies: Bool
    }

    /// The limits the checks apply.
    public struct Limits: Sendable {
        /// The largest partition accepted (real logical partitions are a few GiB).
        public var maximumPartitionSize: UInt64 = 64 << 30
        public init() {}
    }

    public var blockSize: UInt64
    public var partitions: [Partition]

    /// Bytes of decoded output over all partitions (the progress total).
    public var totalDecodedBytes: UInt64 { partitions.reduce(0) { $0 + $1.decodedBytes } }
    /// Disk space the images may take: their sizes less what ZERO/DISCARD leave as holes.
    public var diskBytesNeeded: UInt64 { partitions.reduce(0) { $0 + ($1.size - min($1.size, $1.zeroBytes)) } }

    /// Checks `manifest` against a payload whose data area (after the header, manifest and
    /// signature) holds `dataAreaSize` bytes.
    public init(manifest: PayloadManifest, dataAreaSize: UInt64, limits: Limits = Limits()) throws(PayloadFormatError) {
        try Self.refuseIncremental(manifest)
        guard manifest.legacyOperationCount == 0 else {
            throw PayloadFormatError(cause: "the manifest uses the old install_operations layout (major version 1); not an Android payload")
        }
        let blockSize = UInt64(manifest.blockSize)
        guard blockSize >= 512, blockSize <= 1 << 20, blockSize & (blockSize - 1) == 0 else {
            throw PayloadFormatError(cause: "invalid block size \(manifest.blockSize)")
        }
        guard !manifest.partitions.isEmpty else { throw PayloadFormatError(cause: "the manifest lists no partitions") }
        self.blockSize = blockSize
        var names = Set<String>()
        var partitions: [Partition] = []
        for update in manifest.partitions {
            try Self.checkName(update.name)
            guard names.insert(update.name).inserted else {
                throw PayloadFormatError(cause: "partition \(update.name) is listed twice")
            }
            // Each size is capped and partitions are at most 1024, so sums of sizes cannot overflow.
            partitions.append(try Self.check(update, blockSize: blockSize, dataAreaSize: dataAreaSize, limits: limits))
        }
        self.partitions = partitions
    }

    /// Any trace of a delta update: fails naming the first partition and operation that needs a source.
    static func refuseIncremental(_ manifest: PayloadManifest) throws(PayloadFormatError) {
        for partition in manifest.partitions {
            for (index, operation) in partition.operations.enumerated()
            where !operation.type.isFull || !operation.sourceExtents.isEmpty {
                throw PayloadFormatError(
                    cause: "incremental OTA: partition \(partition.name) operation \(index) is \(operation.type); it needs the source images")
            }
        }
        guard manifest.minorVersion == 0 else {
            throw PayloadFormatError(
                cause: "incremental OTA: manifest minor version \(manifest.minorVersion) (full payloads have 0); it needs the source images")
        }
        guard !manifest.partialUpdate else {
            throw PayloadFormatError(cause: "incremental OTA: the manifest is a partial update; it needs the source images")
        }
    }

    /// Names become file names: ASCII letters, digits, `_`, `-` and `.`, and never `.` or `..`.
    static func checkName(_ name: String) throws(PayloadFormatError) {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
        }
        guard !name.isEmpty, name.utf8.count <= 128, allowed, name != ".", name != ".." else {
            throw PayloadFormatError(cause: "unsafe partition name \(String(reflecting: name)) (allowed: ASCII letters, digits, _ - .)")
        }
    }
}
