extension GitLabClient {
    /// The project at `fullPath` (`dumps/xiaomi/fuxi`), or nil.
    public func project(_ fullPath: String) throws(GitLabError) -> GitLabProject? {
        try get(GitLabProject.self, "get project \(fullPath)", "/projects/" + GitLabPath.encoded(fullPath))
    }

    /// The project `path` in `group`, made (empty, LFS on) when absent; a creation race is read back.
    @discardableResult
    public func ensureProject(_ path: String, in group: GitLabGroup, visibility: GitLabVisibility = .public) throws(GitLabError) -> GitLabProject {
        let fullPath = group.fullPath + "/" + path
        if let found = try project(fullPath) { return found }
        let fields: [String: Any] = [
            "name": path, "path": path, "namespace_id": group.id, "visibility": visibility.rawValue, "lfs_enabled": true,
            "initialize_with_readme": false,
        ]
        let operation = "create project \(fullPath)"
        do {
            return try decode(GitLabProject.self, operation, try call(operation, "POST", "/projects", json: fields))
        } catch where error.status == 400 || error.status == 409 {
            if let found = try project(fullPath) { return found }
            throw error
        }
    }

    /// Makes `branch` the project's default branch.
    @discardableResult
    public func setDefaultBranch(_ branch: String, of project: GitLabProject) throws(GitLabError) -> GitLabProject {
        let operation = "set the default branch of \(project.pathWithNamespace)"
        return try decode(GitLabProject.self, operation, try call(operation, "PUT", "/projects/\(project.id)", json: ["default_branch": branch]))
    }
}
