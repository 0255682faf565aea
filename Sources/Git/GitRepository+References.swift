internal import CGit2

extension GitRepository {
    /// The id a reference such as `refs/heads/main` points at, or nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> GitObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "git_reference_name_to_id")
        return GitObjectID(oid)
    }

    /// Points `name` at `target`, creating it; an existing reference is moved only when `force`
    /// (`git_reference_create`).
    public func setReference(_ name: String, to target: GitObjectID, force: Bool, logMessage: String) throws(GitError) {
        var oid = target.raw
        var ref: OpaquePointer?
        try check(git_reference_create(&ref, handle, name, &oid, force ? 1 : 0, logMessage), "git_reference_create")
        git_reference_free(ref)
    }

    /// Moves `name` from `expected` to `target`, failing if someone moved it meanwhile
    /// (`git_reference_create_matching`).
    public func replaceReference(_ name: String, expecting expected: GitObjectID, with target: GitObjectID, logMessage: String) throws(GitError) {
        var oid = target.raw
        var old = expected.raw
        var ref: OpaquePointer?
        try check(git_reference_create_matching(&ref, handle, name, &oid, 1, &old, logMessage), "git_reference_create_matching")
        git_reference_free(ref)
    }

    /// True while HEAD points at a branch that has no commit yet.
    public var isHeadUnborn: Bool { git_repository_head_unborn(handle) == 1 }

    /// Points HEAD at the reference `name` (`git_repository_set_head`).
    public func setHead(_ name: String) throws(GitError) {
        try check(git_repository_set_head(handle, name), "git_repository_set_head")
    }

    /// The names of all local branches, sorted.
    public func branchNames() throws(GitError) -> [String] {
        var names = git_strarray()
        try check(git_reference_list(&names, handle), "git_reference_list")
        defer { git_strarray_dispose(&names) }
        var out: [String] = []
        for i in 0..<names.count {
            guard let s = names.strings[i] else { continue }
            let name = String(cString: s)
            if name.hasPrefix("refs/heads/") { out.append(String(name.dropFirst("refs/heads/".count))) }
        }
        return out.sorted()
    }

    /// True when libgit2 accepts `name` as a full reference name (`git_reference_name_is_valid`).
    public static func isValidReferenceName(_ name: String) -> Bool {
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }
}
