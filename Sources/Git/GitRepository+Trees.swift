internal import CGit2

/// One file of a tree to write: full slash-separated path (raw bytes), mode and blob id.
public struct GitTreeEntry: Sendable {
    /// The path from the tree's root, without a leading slash, as raw bytes.
    public var path: [UInt8]
    /// The git file mode: 0o100644, 0o100755 or 0o120000.
    public var mode: UInt32
    /// The blob this entry points at.
    public var id: GitObjectID

    public init(path: [UInt8], mode: UInt32, id: GitObjectID) {
        self.path = path
        self.mode = mode
        self.id = id
    }
}

extension GitRepository {
    /// Writes the nested trees for `entries` through an in-memory index
    /// (`git_index_new`, `git_index_add`, `git_index_write_tree_to`) and returns the root tree id.
    /// Every blob must already be in the object database.
    public func writeTree(_ entries: [GitTreeEntry]) throws(GitError) -> GitObjectID {
        var index: OpaquePointer?
        try check(git_index_new(&index), "git_index_new")
        defer { git_index_free(index) }
        for entry in entries {
            var raw = git_index_entry()
            raw.mode = entry.mode
            raw.id = entry.id.raw
            let rc = (entry.path + [0]).withUnsafeBufferPointer { path in
                path.withMemoryRebound(to: CChar.self) { cpath in
                    raw.path = cpath.baseAddress
                    return git_index_add(index, &raw)
                }
            }
            try check(rc, "git_index_add")
        }
        var tree = git_oid()
        try check(git_index_write_tree_to(&tree, index, handle), "git_index_write_tree_to")
        return GitObjectID(tree)
    }
}
