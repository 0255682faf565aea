public import DumpCore

/// The outcome of `dumpyard dump`, printed as text or as one JSON object.
public struct DumpSummary: Sendable, Hashable, Codable {
    /// What happened to the branch.
    public enum Status: String, Sendable, Codable {
        /// A new branch was committed.
        case dumped
        /// The branch existed and was replaced (`--force`).
        case replaced
        /// The branch already existed; nothing was written to the repository.
        case alreadyDumped = "already_dumped"
    }

    public var status: Status
    public var firmware: String
    public var brand: String
    public var codename: String
    public var branch: String
    public var commit: String
    /// The bare repository's directory.
    public var repository: String
    /// Files in the dump (symlinks included) and their total size.
    public var files: Int
    public var bytes: UInt64
    /// Objects the staging store gained, and objects it already had.
    public var newObjects: Int
    public var reusedObjects: Int
    /// Device nodes, fifos and sockets in the partitions, which git cannot hold.
    public var skippedSpecialFiles: Int
    /// Wall time of the whole dump, in seconds.
    public var seconds: Double
    public var partitions: [String]
    /// Images found in the package but left out of the dump, each with the reason
    /// (`firmware.zip:cache.img: cache is not a dumped partition`).
    public var notDumped: [String]
    public var properties: DeviceProperties
}
