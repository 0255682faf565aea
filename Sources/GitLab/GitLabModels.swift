/// A group or subgroup (`GET /groups/:id`).
public struct GitLabGroup: Decodable, Sendable, Hashable {
    public var id: Int
    public var name: String
    public var path: String
    public var fullPath: String
    public var parentId: Int?
    public var visibility: String?
    public var webUrl: String?
}

/// A project (`GET /projects/:id`); `defaultBranch` is nil while the repository is empty.
public struct GitLabProject: Decodable, Sendable, Hashable {
    public var id: Int
    public var name: String
    public var path: String
    public var pathWithNamespace: String
    public var defaultBranch: String?
    public var emptyRepo: Bool?
    public var httpUrlToRepo: String
    public var webUrl: String?
    public var visibility: String?
}

/// A branch and the commit it points at.
public struct GitLabBranch: Decodable, Sendable, Hashable {
    public struct Commit: Decodable, Sendable, Hashable {
        public var id: String
    }

    public var name: String
    public var commit: Commit
    public var `default`: Bool?
}

/// One entry of a repository tree: `blob`, `tree` or `commit` (a submodule).
public struct GitLabTreeEntry: Decodable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var type: String
    public var path: String
    public var mode: String
}

/// Who may see what dumpyard creates.
public enum GitLabVisibility: String, Sendable, Hashable, CaseIterable {
    case `private`, `internal`, `public`
}
