internal import CGit2

/// A git repository opened with libgit2. Owns its `git_repository`; frees it in `deinit`.
///
/// Not thread-safe (libgit2 objects belong to one thread at a time): confine an instance to
/// one task or thread.
public final class GitRepository {
    let handle: OpaquePointer
    /// The in-memory backend added by `keepNewObjectsInMemory()`, owned by the object database.
    var memoryBackend: UnsafeMutablePointer<git_odb_backend>?
    /// The repository's git directory.
    public let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// Opens an existing repository (`git_repository_open_bare`).
    public static func openBare(at path: String) throws(GitError) -> GitRepository {
        var repo: OpaquePointer?
        try check(git_repository_open_bare(&repo, path), "git_repository_open_bare")
        guard let repo else { throw GitError(function: "git_repository_open_bare", code: -1) }
        return GitRepository(handle: repo, path: path)
    }

    /// Opens the bare repository at `path`, creating it (`git_repository_init`) when missing.
    public static func openOrCreateBare(at path: String) throws(GitError) -> GitRepository {
        if let repo = try? openBare(at: path) { return repo }
        var repo: OpaquePointer?
        try check(git_repository_init(&repo, path, 1), "git_repository_init")
        guard let repo else { throw GitError(function: "git_repository_init", code: -1) }
        return GitRepository(handle: repo, path: path)
    }

    /// Which of `ids` the object database holds. Rescans the packs once, then looks each id up
    /// without a rescan per missing object (`git_odb_exists_ext`, `GIT_ODB_LOOKUP_NO_REFRESH`).
    public func containsEach(_ ids: [GitObjectID]) throws(GitError) -> [Bool] {
        let odb = try objectDatabase()
        defer { git_odb_free(odb) }
        try check(git_odb_refresh(odb), "git_odb_refresh")
        return ids.map { id in
            var oid = id.raw
            return git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1
        }
    }

    /// Makes packs written behind libgit2's back visible (`git_odb_refresh`).
    public func refreshObjects() throws(GitError) {
        let odb = try objectDatabase()
        defer { git_odb_free(odb) }
        try check(git_odb_refresh(odb), "git_odb_refresh")
    }

    /// Sets an integer configuration value in the repository's own config file.
    public func setConfig(_ key: String, to value: Int64) throws(GitError) {
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "git_repository_config")
        defer { git_config_free(config) }
        try check(git_config_set_int64(config, key, value), "git_config_set_int64")
    }

    private func objectDatabase() throws(GitError) -> OpaquePointer {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "git_repository_odb")
        guard let odb else { throw GitError(function: "git_repository_odb", code: -1) }
        return odb
    }
}
