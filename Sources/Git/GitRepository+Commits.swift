internal import CGit2

/// Who made a commit, and when: seconds since 1970 and the offset from UTC in minutes.
public struct GitSignature: Sendable, Hashable {
    public var name: String
    public var email: String
    public var time: Int64
    public var offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32 = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }
}

extension GitRepository {
    /// Writes a commit object (`git_commit_create`) without moving any reference.
    public func createCommit(
        tree: GitObjectID, parents: [GitObjectID] = [], message: String, author: GitSignature, committer: GitSignature
    ) throws(GitError) -> GitObjectID {
        var treeID = tree.raw
        var treeObject: OpaquePointer?
        try check(git_tree_lookup(&treeObject, handle, &treeID), "git_tree_lookup")
        defer { git_tree_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { parentObjects.forEach { git_commit_free($0) } }
        for parent in parents {
            var id = parent.raw
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &id), "git_commit_lookup")
            parentObjects.append(commit)
        }
        let authorSig = try Self.makeSignature(author)
        defer { git_signature_free(authorSig) }
        let committerSig = try Self.makeSignature(committer)
        defer { git_signature_free(committerSig) }
        var out = git_oid()
        let rc = parentObjects.withUnsafeMutableBufferPointer { parentsBuffer in
            git_commit_create(
                &out, handle, nil, authorSig, committerSig, nil, message, treeObject, parentsBuffer.count,
                parentsBuffer.baseAddress)
        }
        try check(rc, "git_commit_create")
        return GitObjectID(out)
    }

    /// The message of commit `id` (`git_commit_message`).
    public func commitMessage(_ id: GitObjectID) throws(GitError) -> String {
        var raw = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &raw), "git_commit_lookup")
        defer { git_commit_free(commit) }
        return git_commit_message(commit).map { String(cString: $0) } ?? ""
    }

    private static func makeSignature(_ s: GitSignature) throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var sig: UnsafeMutablePointer<git_signature>?
        try check(git_signature_new(&sig, s.name, s.email, git_time_t(s.time), s.offsetMinutes), "git_signature_new")
        return sig
    }
}
