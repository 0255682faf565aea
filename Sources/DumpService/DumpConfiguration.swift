internal import Foundation

/// Settings of a dumpyard process, read from the environment (names compatible with dumpyarabot
/// where they overlap).
public struct DumpConfiguration: Sendable, Hashable {
    /// `DUMPYARD_HOME`: the staging store, manifests and work directories live under it.
    /// Default: `$XDG_DATA_HOME/dumpyard`, else `~/.local/share/dumpyard`.
    public var home: String
    /// `WORK_DIR_BASE`: one directory per job is made under it. Default: `<home>/work`.
    public var workDirectoryBase: String
    /// Threads that hash and compress files (`DUMPYARD_THREADS`, default: the number of cores).
    public var threads: Int
    /// `REDIS_URL`: the job queue's Redis (`redis://[user:password@]host[:port][/db]`).
    public var redisURL = "redis://127.0.0.1:6379/0"
    /// `REDIS_KEY_PREFIX`: the prefix of every queue key.
    public var redisKeyPrefix = "dumpyard:{q}:"
    /// `LFS_THRESHOLD`: files of this many bytes or more are committed as Git LFS pointers
    /// (default 50 MiB; 0 turns LFS off).
    public var lfsThreshold: UInt64? = 50 << 20

    public init(home: String, workDirectoryBase: String? = nil, threads: Int? = nil) {
        self.home = home
        self.workDirectoryBase = workDirectoryBase ?? home + "/work"
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The configuration the environment describes.
    public static func fromEnvironment(_ environment: [String: String]? = nil) -> DumpConfiguration {
        let env = environment ?? ProcessInfo.processInfo.environment
        let home: String
        if let explicit = env["DUMPYARD_HOME"], !explicit.isEmpty {
            home = explicit
        } else if let data = env["XDG_DATA_HOME"], !data.isEmpty {
            home = data + "/dumpyard"
        } else {
            home = (env["HOME"] ?? NSHomeDirectory()) + "/.local/share/dumpyard"
        }
        let work = env["WORK_DIR_BASE"].flatMap { $0.isEmpty ? nil : $0 }
        let threads = env["DUMPYARD_THREADS"].flatMap(Int.init)
        var configuration = DumpConfiguration(home: home, workDirectoryBase: work, threads: threads)
        if let url = env["REDIS_URL"], !url.isEmpty { configuration.redisURL = url }
        if let prefix = env["REDIS_KEY_PREFIX"], !prefix.isEmpty { configuration.redisKeyPrefix = prefix }
        if let text = env["LFS_THRESHOLD"], !text.isEmpty, let bytes = UInt64(text) { configuration.lfsThreshold = bytes == 0 ? nil : bytes }
        return configuration
    }

    /// Where the content-addressed staging store lives.
    public var storeDirectory: String { home + "/store" }
    /// Where each dump's manifest is kept, by commit id.
    public var manifestDirectory: String { home + "/manifests" }
}
