public import DumpCore

/// What unpacking a firmware package produced besides the files handed to the caller.
public struct UnpackResult: Sendable {
    /// The partition images handed over, in package order.
    public var images: [UnpackedImage]
    /// How many members were handed over as plain files (symlinks included).
    public var plainFiles: Int
    /// Images found but not dumped, with the reason (`cache.img: not a dumped partition`).
    public var skipped: [String]
}

/// How far a long piece of unpacking is (the partitions of a payload.bin being extracted).
public struct UnpackProgress: Sendable {
    /// What is being unpacked (`ota.zip:payload.bin`).
    public var origin: String
    /// Bytes written so far, and in all.
    public var done: UInt64
    public var total: UInt64
}

/// Receives what unpacking finds, as it finds it: partition images ready to read, and the
/// members that are not partition images.
public protocol UnpackSink {
    /// A regular file: its path in the dump, mode, size, and its bytes.
    mutating func file(_ path: RepoPath, mode: FileMode, size: UInt64, source: inout some ByteSource) throws
    /// A symbolic link and its target.
    mutating func symlink(_ path: RepoPath, target: [UInt8]) throws
    /// A second path for a file handed over before (a tar hard link). Returns false when the sink
    /// does not hold `existing` as a file.
    mutating func link(_ path: RepoPath, to existing: RepoPath) throws -> Bool
    /// A partition image is ready (the caller may start reading it while unpacking goes on; its
    /// work file goes when the last copy of `image` is released). Throwing stops the unpacking.
    mutating func image(_ image: PartitionImage) throws
}

extension UnpackSink {
    public mutating func image(_ image: PartitionImage) throws {}
    public mutating func link(_ path: RepoPath, to existing: RepoPath) throws -> Bool { false }
}

/// Takes a firmware package apart, streaming, whatever its shape: zips (nested ones too), tar
/// and Samsung `.tar.md5`, 7z, compressed wrappers (`.gz`, `.xz`, `.lz4`, …), A/B OTA payloads,
/// super images (raw, sparse, split, LZ4), block OTAs, sparse and plain file system images.
/// Each member's kind is told by its first bytes; only members that belong together (a block
/// OTA's pieces, a split sparse image) are grouped by name. Partition images are handed to the
/// sink as soon as they are ready — read in place when stored uncompressed, else written to
/// the work directory; every other member goes to the sink as a plain file.
public struct FirmwareUnpacker: Sendable {
    /// Where work files (raw images, spilled members) are written.
    public let imageDirectory: String
    /// Threads for work that runs in parallel (payload operations).
    public var threads: Int
    /// Archives inside archives are unpacked down to this depth.
    public var maximumDepth = 4
    /// At most this many members in all archives together.
    public var maximumMembers = 500_000
    /// Told how long work goes (payload extraction), from any thread.
    public var progress: (@Sendable (UnpackProgress) -> Void)?

    public init(imageDirectory: String, threads: Int = 2) {
        self.imageDirectory = imageDirectory
        self.threads = threads
    }

    /// Unpacks the firmware at `path`.
    public func unpack(_ path: String, into sink: inout some UnpackSink) throws -> UnpackResult {
        var walk = PackageWalk(unpacker: self, sink: sink)
        defer { sink = walk.sink }
        return try walk.run(path)
    }
}
