internal import CGit2

/// A raw git object: its id, its type (1 commit, 2 tree, 3 blob, 4 tag, as in packs) and content.
public struct GitRawObject: Sendable, Hashable {
    public var id: GitObjectID
    public var type: UInt8
    public var content: [UInt8]
}

extension GitRepository {
    /// From now on, objects this repository writes stay in memory (a mempack backend with the
    /// highest priority) instead of becoming loose files; the caller packs them and then calls
    /// `discardMemoryObjects()`. The backend belongs to the repository's object database.
    public func keepNewObjectsInMemory() throws(GitError) {
        guard memoryBackend == nil else { return }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "git_mempack_new")
        var odb: OpaquePointer?
        do {
            try check(git_repository_odb(&odb, handle), "git_repository_odb")
            // Once added, the backend belongs to the object database.
            try check(git_odb_add_backend(odb, backend, 999), "git_odb_add_backend")
        } catch {
            git_odb_free(odb)
            if let backend, let free = backend.pointee.free { free(backend) }
            throw error
        }
        git_odb_free(odb)
        memoryBackend = backend
    }

    /// Forgets the objects kept in memory (`git_mempack_reset`); pack them first.
    public func discardMemoryObjects() throws(GitError) {
        guard let memoryBackend else { return }
        try check(git_mempack_reset(memoryBackend), "git_mempack_reset")
    }

    /// The commit `commit` and every tree it reaches, raw: what a pack needs besides the blobs.
    public func commitAndTrees(_ commit: GitObjectID) throws(GitError) -> [GitRawObject] {
        var objects = [try readRaw(commit)]
        var commitObject: OpaquePointer?
        var commitID = commit.raw
        try check(git_commit_lookup(&commitObject, handle, &commitID), "git_commit_lookup")
        defer { git_commit_free(commitObject) }
        guard let treeID = git_commit_tree_id(commitObject)?.pointee else { throw GitError(function: "git_commit_tree_id", code: -1) }
        var pending = [GitObjectID(treeID)]
        var seen = Set<GitObjectID>()
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            objects.append(try readRaw(next))
            var tree: OpaquePointer?
            var id = next.raw
            try check(git_tree_lookup(&tree, handle, &id), "git_tree_lookup")
            defer { git_tree_free(tree) }
            for i in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, i), git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE,
                    let child = git_tree_entry_id(entry)
                else { continue }
                pending.append(GitObjectID(child.pointee))
            }
        }
        return objects
    }

    private func readRaw(_ id: GitObjectID) throws(GitError) -> GitRawObject {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "git_repository_odb")
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        var oid = id.raw
        try check(git_odb_read(&object, odb, &oid), "git_odb_read")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        let content = git_odb_object_data(object).map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        return GitRawObject(id: id, type: UInt8(truncatingIfNeeded: git_odb_object_type(object).rawValue), content: content)
    }
}

extension GitRepository {
    /// Every blob `commit` reaches (gitlinks excluded), with its size from the object header.
    public func blobs(of commit: GitObjectID) throws(GitError) -> [(id: GitObjectID, size: UInt64)] {
        try blobs(in: commitAndTrees(commit))
    }

    /// Every blob the trees among `objects` name (gitlinks excluded), with its size from the
    /// object header: `blobs(of:)` for a caller that already has `commitAndTrees(_:)`.
    public func blobs(in objects: [GitRawObject]) throws(GitError) -> [(id: GitObjectID, size: UInt64)] {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "git_repository_odb")
        defer { git_odb_free(odb) }
        var result: [(id: GitObjectID, size: UInt64)] = []
        var seenBlobs = Set<GitObjectID>()
        for object in objects where object.type == UInt8(GIT_OBJECT_TREE.rawValue) {
            var tree: OpaquePointer?
            var id = object.id.raw
            try check(git_tree_lookup(&tree, handle, &id), "git_tree_lookup")
            defer { git_tree_free(tree) }
            for i in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, i), git_tree_entry_type(entry) == GIT_OBJECT_BLOB,
                    let child = git_tree_entry_id(entry)
                else { continue }
                let blob = GitObjectID(child.pointee)
                guard seenBlobs.insert(blob).inserted else { continue }
                var size = 0
                var type = GIT_OBJECT_ANY
                var oid = blob.raw
                try check(git_odb_read_header(&size, &type, odb, &oid), "git_odb_read_header")
                result.append((blob, UInt64(size)))
            }
        }
        return result
    }
}

extension GitRepository {
    /// True when `id` is a commit in this repository.
    public func isCommit(_ id: GitObjectID) throws(GitError) -> Bool {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "git_repository_odb")
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_ANY
        var oid = id.raw
        try check(git_odb_read_header(&size, &type, odb, &oid), "git_odb_read_header")
        return type == GIT_OBJECT_COMMIT
    }
}

extension GitRepository {
    /// The content of the blob `revision` names (`branch:path`), or nil when there is none.
    public func blobContent(_ revision: String) throws(GitError) -> [UInt8]? {
        var object: OpaquePointer?
        let rc = git_revparse_single(&object, handle, revision)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "git_revparse_single")
        defer { git_object_free(object) }
        guard git_object_type(object) == GIT_OBJECT_BLOB, let raw = git_blob_rawcontent(object) else { return nil }
        return Array(UnsafeRawBufferPointer(start: raw, count: Int(git_blob_rawsize(object))))
    }
}
