extension GitLabClient {
    /// The branch `name` of a project (its commit: "already dumped?"), or nil.
    public func branch(_ name: String, of projectPath: String) throws(GitLabError) -> GitLabBranch? {
        try get(
            GitLabBranch.self, "get branch \(name) of \(projectPath)",
            "/projects/\(GitLabPath.encoded(projectPath))/repository/branches/\(GitLabPath.encoded(name))")
    }

    /// Every branch of a project.
    public func branches(of projectPath: String) throws(GitLabError) -> [GitLabBranch] {
        try all(GitLabBranch.self, "list branches of \(projectPath)", "/projects/\(GitLabPath.encoded(projectPath))/repository/branches")
    }

    /// The entries under `path` at `ref` (all levels when `recursive`).
    public func tree(of projectPath: String, ref: String, path: String = "", recursive: Bool = false) throws(GitLabError) -> [GitLabTreeEntry] {
        var query: [(String, String)] = [("ref", ref)]
        if !path.isEmpty { query.append(("path", path)) }
        if recursive { query.append(("recursive", "true")) }
        return try all(
            GitLabTreeEntry.self, "list the tree of \(projectPath)@\(ref)",
            "/projects/\(GitLabPath.encoded(projectPath))/repository/tree" + GitLabPath.query(query))
    }

    /// A file's bytes at `ref` (LFS pointers resolved to their content).
    public func rawFile(_ path: String, of projectPath: String, ref: String) throws(GitLabError) -> [UInt8] {
        try call(
            "read \(path) of \(projectPath)@\(ref)", "GET",
            "/projects/\(GitLabPath.encoded(projectPath))/repository/files/\(GitLabPath.encoded(path))/raw"
                + GitLabPath.query([("ref", ref), ("lfs", "true")])
        ).body
    }
}
