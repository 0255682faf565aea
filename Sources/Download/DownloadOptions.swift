/// How a download runs.
public struct DownloadOptions: Sendable, Hashable {
    /// Parallel ranged connections for a large file on a server that takes ranges.
    public var connections = 4
    /// Files smaller than this use one connection; larger ones are fetched in segments of at least
    /// half this size.
    public var splitThreshold: UInt64 = 64 << 20
    public var connectTimeout: Duration = .seconds(20)
    /// A connection that gets no byte for this long is cut (and resumed, within `attempts`).
    public var stallTimeout: Duration = .seconds(60)
    /// The whole download fails after this long.
    public var totalTimeout: Duration = .seconds(6 * 3600)
    /// Larger files are refused before the first byte, or cut when they grow past it.
    public var maximumSize: UInt64 = 64 << 30
    /// Free space to leave on the disk beside the file.
    public var reserve: UInt64 = 1 << 30
    public var maximumRedirects = 10
    /// Tries per connection after a drop or a stall, resuming where it stopped.
    public var attempts = 5
    public var policy = AddressPolicy()
    /// Hosts answered elsewhere: `host` → `http://127.0.0.1:8080` (path and query kept). For tests
    /// that stand in for file hosts, and for a private mirror of one.
    public var hostRewrites: [String: String] = [:]

    public init() {}
}

/// Where a download stands, for the job's step 2 percent.
public struct DownloadProgress: Sendable, Hashable {
    public var received: UInt64
    /// Nil while the size is unknown.
    public var total: UInt64?
    /// Bytes per second over the last seconds.
    public var rate: Double
    public var connections: Int

    /// Seconds left at the current rate, when the size is known.
    public var secondsLeft: Double? {
        guard let total, rate > 0 else { return nil }
        return Double(total > received ? total - received : 0) / rate
    }
}

/// A finished download.
public struct DownloadResult: Sendable, Hashable {
    public var path: String
    public var fileName: String
    public var size: UInt64
    /// SHA-256 of the file's bytes (decrypted ones for MEGA): the firmware digest used for dedup.
    public var sha256: String
    /// The host the bytes came from (after redirects).
    public var host: String
    public var connections: Int
    /// Connections that were cut and resumed.
    public var resumes: Int
    public var seconds: Double
}
