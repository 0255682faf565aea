internal import GitLab

/// Where dumps are published: `GITLAB_URL`, the token (`DUMPER_TOKEN`, the existing bot's name, or
/// `GITLAB_TOKEN`), `GITLAB_ROOT_GROUP` (default `dumps`) and `GITLAB_VISIBILITY` of what is
/// created (default `public`, as the existing archives).
struct GitLabSettings: Sendable {
    var url: String
    var token: String
    var rootGroup: String
    var visibility: GitLabVisibility

    /// The settings, or a usage error naming what is missing or wrong.
    static func from(_ environment: [String: String]) throws(UsageError) -> GitLabSettings {
        guard let given = environment["GITLAB_URL"], !given.isEmpty else { throw UsageError("GitLab needs GITLAB_URL (e.g. https://gitlab.example)") }
        var url = given
        while url.hasSuffix("/") { url.removeLast() }
        // The server, not its API: a URL given with /api/v4 is taken as meant.
        if url.lowercased().hasSuffix("/api/v4") { url.removeLast("/api/v4".count) }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { throw UsageError("GITLAB_URL must be an http(s) URL") }
        guard let token = [environment["DUMPER_TOKEN"], environment["GITLAB_TOKEN"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw UsageError("GitLab needs a token in DUMPER_TOKEN (or GITLAB_TOKEN): api and write_repository scopes to publish, read_api to browse")
        }
        let root = (environment["GITLAB_ROOT_GROUP"].flatMap { $0.isEmpty ? nil : $0 } ?? "dumps")
            .split(separator: "/").joined(separator: "/")
        guard !root.isEmpty else { throw UsageError("GITLAB_ROOT_GROUP is empty") }
        var visibility = GitLabVisibility.public
        if let text = environment["GITLAB_VISIBILITY"], !text.isEmpty {
            guard let value = GitLabVisibility(rawValue: text) else { throw UsageError("GITLAB_VISIBILITY is private, internal or public") }
            visibility = value
        }
        return GitLabSettings(url: url, token: token, rootGroup: root, visibility: visibility)
    }
}
