internal import Foundation
internal import DumpCore
internal import GitLab

/// The published dumps on GitLab, read back: `lookup <brand>/<codename> [branch]` (already
/// dumped there?) and `browse [brand[/codename[@branch[:path]]]]` (list, or print a file).
/// Paths are under GITLAB_ROOT_GROUP.
enum BrowseCommands {
    /// True for `lookup brand/codename …` (not a URL, not a digest).
    static func isRepositoryQuery(_ arguments: [String]) -> Bool {
        guard let first = arguments.first(where: { !$0.hasPrefix("-") }) else { return false }
        return !first.contains("://") && first.contains("/")
    }

    /// `lookup brand/codename [branch]`: exit 0 when found, 3 when not.
    static func lookup(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json"])
        guard (1...2).contains(parsed.positionals.count) else { throw UsageError("lookup takes brand/codename and, optionally, a branch") }
        let (settings, client) = try connect(environment)
        let json = parsed.flags.contains("--json")
        if let build = BuildFingerprint(parsed.positionals[0]), parsed.positionals.count == 1 {
            return try lookup(build, settings: settings, client: client, json: json)
        }
        let parts = parsed.positionals[0].split(separator: "/", omittingEmptySubsequences: false).map { String($0).lowercased() }
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains("@") && !$0.contains(":") }) else {
            throw UsageError("lookup takes brand/codename [branch] (e.g. lookup xiaomi/fuxi <branch>) or a build fingerprint")
        }
        let path = settings.rootGroup + "/" + parts.joined(separator: "/")
        guard let project = try client.project(path) else {
            CommandLineTool.printOut(json ? "{\"found\":false}" : "not dumped yet: no project \(path)")
            return 3
        }
        if parsed.positionals.count == 2 {
            let branch = parsed.positionals[1]
            guard let found = try client.branch(branch, of: path) else {
                CommandLineTool.printOut(json ? "{\"found\":false}" : "not dumped yet: \(path) has no branch \(branch)")
                return 3
            }
            let answer = Found(project: path, webURL: project.webUrl, cloneURL: project.httpUrlToRepo, branches: [Branch(name: found.name, commit: found.commit.id)])
            CommandLineTool.printOut(json ? try CommandLineTool.encodeJSON(answer) : "already dumped: \(path) branch \(found.name) (commit \(found.commit.id))\n  web        \(project.webUrl ?? "-")")
            return 0
        }
        let branches = try client.branches(of: path).map { Branch(name: $0.name, commit: $0.commit.id) }.sorted { $0.name < $1.name }
        let answer = Found(project: path, webURL: project.webUrl, cloneURL: project.httpUrlToRepo, branches: branches)
        if json {
            CommandLineTool.printOut(try CommandLineTool.encodeJSON(answer))
        } else {
            CommandLineTool.printOut((["\(path): \(branches.count) build\(branches.count == 1 ? "" : "s")"] + branches.map { "  \($0.name)" }).joined(separator: "\n"))
        }
        return branches.isEmpty ? 3 : 0
    }

    /// A build by its fingerprint: the branch its fields name, confirmed by the fingerprint line
    /// of that branch's README.md.
    private static func lookup(_ build: BuildFingerprint, settings: GitLabSettings, client: GitLabClient, json: Bool) throws -> Int32 {
        switch try find(build, settings: settings, client: client) {
        case .notFound(let why):
            CommandLineTool.printOut(json ? "{\"found\":false}" : "not dumped yet: \(why)")
            return 3
        case .found(let path, let webURL, let cloneURL, let branch, let commit):
            let answer = Found(project: path, webURL: webURL, cloneURL: cloneURL, branches: [Branch(name: branch, commit: commit)])
            CommandLineTool.printOut(json ? try CommandLineTool.encodeJSON(answer) : "already dumped: \(path) branch \(branch) (commit \(commit))\n  web        \(webURL ?? "-")")
            return 0
        }
    }

    /// Where a build was published, if it was.
    enum BuildLocation {
        case found(project: String, webURL: String?, cloneURL: String, branch: String, commit: String)
        case notFound(String)
    }

    /// The published branch of `build` (GITLAB_URL and its settings from `environment`).
    /// `timeout` and `attempts`: the limit of each call and the tries of each (the bot asks
    /// with short ones, so a stalled GitLab cannot keep a user waiting for minutes).
    static func find(_ build: BuildFingerprint, environment: [String: String], timeout: Duration = .seconds(60), attempts: Int = 6) throws -> BuildLocation {
        let (settings, client) = try connect(environment, timeout: timeout, attempts: attempts)
        return try find(build, settings: settings, client: client)
    }

    private static func find(_ build: BuildFingerprint, settings: GitLabSettings, client: GitLabClient) throws -> BuildLocation {
        let path = settings.rootGroup + "/" + build.subgroup + "/" + build.project
        guard let project = try client.project(path) else { return .notFound("no project \(path)") }
        guard let found = try client.branch(build.branch, of: path) else { return .notFound("\(path) has no branch \(build.branch)") }
        let readme = String(decoding: (try? client.rawFile("README.md", of: path, ref: found.name)) ?? [], as: UTF8.self)
        guard readme.contains(build.properties.fingerprint) else {
            return .notFound("\(path) branch \(build.branch) holds another build (its README.md names another fingerprint)")
        }
        return .found(project: path, webURL: project.webUrl, cloneURL: project.httpUrlToRepo, branch: found.name, commit: found.commit.id)
    }

    /// `browse [brand[/codename[@branch[:path]]]]`.
    static func browse(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json"])
        guard parsed.positionals.count <= 1 else { throw UsageError("browse takes at most one brand[/codename[@branch[:path]]]") }
        let (settings, client) = try connect(environment)
        let json = parsed.flags.contains("--json")
        let target = try Target(parsed.positionals.first ?? "")
        do {
            return try browse(target, settings: settings, client: client, json: json)
        } catch let error as GitLabError where error.status == 404 {
            CommandLineTool.printOut(json ? "{\"found\":false}" : "not found: \(error.message)")
            return 3
        }
    }

    private static func browse(_ target: Target, settings: GitLabSettings, client: GitLabClient, json: Bool) throws -> Int32 {
        let root = settings.rootGroup
        func list(_ names: [String], _ entries: some Encodable) throws {
            CommandLineTool.printOut(json ? try CommandLineTool.encodeJSON(entries) : names.joined(separator: "\n"))
        }
        guard let brand = target.brand else {
            let groups = try client.subgroups(of: root).sorted { $0.path < $1.path }
            try list(groups.map(\.path), groups.map(\.path))
            return 0
        }
        guard let codename = target.codename else {
            let projects = try client.projects(in: root + "/" + brand).sorted { $0.path < $1.path }
            try list(projects.map(\.path), projects.map(\.path))
            return 0
        }
        let project = root + "/" + brand + "/" + codename
        guard let branch = target.branch else {
            let branches = try client.branches(of: project).map(\.name).sorted()
            try list(branches, branches)
            return 0
        }
        let path = target.path ?? ""
        if !path.isEmpty {
            // A file is printed; a directory is listed.
            let parent = (path as NSString).deletingLastPathComponent
            guard let entry = try entries(client, project, branch, parent)?.first(where: { $0.path == path }) else {
                CommandLineTool.printOut(json ? "{\"found\":false}" : "not found: \(project)@\(branch) has no \(path)")
                return 3
            }
            if entry.type == "blob" {
                FileHandle.standardOutput.write(Data(try client.rawFile(path, of: project, ref: branch)))
                return 0
            }
        }
        let entries = try client.tree(of: project, ref: branch, path: path)
        try list(entries.map { $0.type == "tree" ? $0.name + "/" : $0.name }, entries.map { Entry(name: $0.name, path: $0.path, type: $0.type, mode: $0.mode) })
        return 0
    }

    /// The entries of a directory, or nil when it does not exist (GitLab answers 404).
    private static func entries(_ client: GitLabClient, _ project: String, _ ref: String, _ path: String) throws -> [GitLabTreeEntry]? {
        do {
            return try client.tree(of: project, ref: ref, path: path)
        } catch let error where error.status == 404 {
            return nil
        }
    }

    private struct Branch: Encodable {
        var name: String
        var commit: String
    }

    private struct Found: Encodable {
        var found = true
        var project: String
        var webURL: String?
        var cloneURL: String
        var branches: [Branch]
    }

    private struct Entry: Encodable {
        var name: String
        var path: String
        var type: String
        var mode: String
    }

    /// `brand[/codename[@branch[:path]]]` taken apart.
    struct Target {
        var brand: String?
        var codename: String?
        var branch: String?
        var path: String?

        init(_ text: String) throws(UsageError) {
            var rest = Substring(text)
            if let colon = rest.firstIndex(of: ":") {
                path = String(rest[rest.index(after: colon)...]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                rest = rest[..<colon]
            }
            if let at = rest.firstIndex(of: "@") {
                branch = String(rest[rest.index(after: at)...])
                rest = rest[..<at]
                guard branch?.isEmpty == false else { throw UsageError("browse: a branch after @, e.g. xiaomi/fuxi@<branch>") }
            }
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map { String($0).lowercased() }
            guard text.isEmpty || (parts.count <= 2 && parts.allSatisfy { !$0.isEmpty }) else {
                throw UsageError("browse takes brand[/codename[@branch[:path]]], e.g. xiaomi/fuxi@<branch>:system/build.prop")
            }
            guard (branch == nil && path == nil) || parts.count == 2 else { throw UsageError("browse: @branch and :path need brand/codename before them") }
            brand = text.isEmpty ? nil : parts.first
            codename = parts.count > 1 ? parts[1] : nil
        }
    }

    private static func connect(_ environment: [String: String], timeout: Duration = .seconds(60), attempts: Int = 6) throws -> (GitLabSettings, GitLabClient) {
        let settings = try GitLabSettings.from(environment)
        let retry = RetryPolicy(attempts: attempts, longestWait: min(timeout, .seconds(60)))
        return (settings, GitLabClient(url: settings.url, token: settings.token, transport: try CurlGitLabTransport(), retry: retry, timeout: timeout))
    }
}
