extension GitLabClient {
    /// The group at `fullPath` (`dumps/xiaomi`), or nil.
    public func group(_ fullPath: String) throws(GitLabError) -> GitLabGroup? {
        try get(GitLabGroup.self, "get group \(fullPath)", "/groups/" + GitLabPath.encoded(fullPath))
    }

    /// The group at `fullPath`, made (with its missing parents) when absent. Idempotent and safe
    /// against a concurrent creator: a "has already been taken" answer is read back.
    @discardableResult
    public func ensureGroup(_ fullPath: String, name: String? = nil, visibility: GitLabVisibility = .public) throws(GitLabError) -> GitLabGroup {
        if let found = try group(fullPath) { return found }
        let parts = fullPath.split(separator: "/").map(String.init)
        guard let path = parts.last else { throw GitLabError(operation: "create group", status: 0, message: "an empty group path") }
        let parent = parts.count > 1 ? try ensureGroup(parts.dropLast().joined(separator: "/"), visibility: visibility) : nil
        var fields: [String: Any] = ["name": name ?? path, "path": path, "visibility": visibility.rawValue]
        if let parent { fields["parent_id"] = parent.id }
        let operation = "create group \(fullPath)"
        do {
            return try decode(GitLabGroup.self, operation, try call(operation, "POST", "/groups", json: fields))
        } catch where error.status == 400 || error.status == 409 {
            // Taken by a concurrent creator: it exists now.
            if let found = try group(fullPath) { return found }
            throw error
        }
    }

    /// The subgroups of a group (every page).
    public func subgroups(of fullPath: String) throws(GitLabError) -> [GitLabGroup] {
        try all(GitLabGroup.self, "list subgroups of \(fullPath)", "/groups/\(GitLabPath.encoded(fullPath))/subgroups")
    }

    /// The projects of a group (every page).
    public func projects(in fullPath: String) throws(GitLabError) -> [GitLabProject] {
        try all(GitLabProject.self, "list projects of \(fullPath)", "/groups/\(GitLabPath.encoded(fullPath))/projects")
    }
}
