internal import Foundation
internal import DumpCore
internal import Git
internal import GitLab
internal import Publishing
internal import Staging

/// A push that failed for a reason that may pass (a network outage, a time limit).
struct GitLabPushFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What publishing a branch did.
struct PublishOutcome: Codable, Sendable {
    /// `published`, `replaced` (forced over another build) or `already_published`.
    var status: String
    var project: String
    var webURL: String?
    var cloneURL: String
    var branch: String
    var commit: String
    /// Objects and bytes the push sent (0 when the remote had them all).
    var objects: Int
    var bytes: Int
    /// LFS objects and bytes uploaded (the ones GitLab lacked).
    var lfsObjects = 0
    var lfsBytes: UInt64 = 0
}

/// Step 9 against GitLab (reference/git.md §4.3): the brand's subgroup under the root group and
/// the codename's project are ensured, the branch is looked up (the same commit there: already
/// published; another one: refused unless forced), pushed from the dump repository (only what
/// the remote lacks travels), and made the project's default branch.
struct GitLabPublication {
    let settings: GitLabSettings
    let configuration: DumpConfiguration
    let client: GitLabClient

    init(settings: GitLabSettings, configuration: DumpConfiguration) throws {
        self.settings = settings
        self.configuration = configuration
        client = GitLabClient(url: settings.url, token: settings.token, transport: try CurlGitLabTransport())
    }

    /// Publishes `branch` of the dump repository `<…>/<brand>/<codename>.git`. Refusals (a 4xx
    /// from GitLab, another build on the branch, refused credentials) are `PublishingError`s;
    /// outages are other errors, worth another try.
    func publish(repository path: String, branch: String, force: Bool, deadline: Duration = .seconds(3600)) throws -> PublishOutcome {
        do {
            return try attempt(repository: path, branch: branch, force: force, deadline: deadline)
        } catch let error as GitLabError where (400..<500).contains(error.status) && error.status != 408 && error.status != 429 {
            throw PublishingError(error.description)
        }
    }

    private func attempt(repository path: String, branch: String, force: Bool, deadline: Duration) throws -> PublishOutcome {
        let (brand, codename) = try Self.names(of: path)
        let repository = try DumpRepository(existingAt: path)
        guard let commit = try repository.branchTarget(branch) else { throw PublishingError("\(path) has no branch \(branch)") }
        let group = try client.ensureGroup(settings.rootGroup + "/" + brand, name: brand.prefix(1).uppercased() + brand.dropFirst(), visibility: settings.visibility)
        var project = try client.ensureProject(codename, in: group, visibility: settings.visibility)
        // Git and LFS go to the configured server only: the token must never follow a clone URL
        // that names another host.
        project.httpUrlToRepo = try Self.cloneURL(settings.url, project.pathWithNamespace)
        var outcome = PublishOutcome(
            status: "published", project: project.pathWithNamespace, webURL: project.webUrl, cloneURL: project.httpUrlToRepo, branch: branch,
            commit: commit.hex, objects: 0, bytes: 0)
        if let remote = try client.branch(branch, of: project.pathWithNamespace) {
            if remote.commit.id == commit.hex {
                // Published before; the default branch may be what an earlier run failed to set.
                return try alreadyPublished(outcome, branch: branch, project: project)
            }
            guard force else {
                throw PublishingError(
                    "GitLab: \(project.pathWithNamespace) already has branch \(branch) at another commit (\(remote.commit.id)); --force replaces it")
            }
            outcome.status = "replaced"
        }
        // The LFS objects first: a branch must never name content the server lacks.
        if let records = try LFSConversion.load(commit: commit.hex, configuration: configuration) {
            let uploaded = try uploadLFS(records, to: project)
            outcome.lfsObjects = uploaded.uploaded
            outcome.lfsBytes = uploaded.bytes
        } else if try repository.usesLFS(branch: branch) {
            throw PublishingError(
                "\(path) branch \(branch) has Git LFS files, but this machine has no record of their content (\(LFSConversion.recordsPath(commit: commit.hex, configuration: configuration)) is missing): publish from the machine and DUMPYARD_HOME that dumped it, or dump it again here")
        }
        do {
            // From the staging store when it holds the build's blobs (it does on the machine that dumped it).
            let store = try? StagingStore(root: configuration.storeDirectory)
            try FileManager.default.createDirectory(atPath: configuration.workDirectoryBase, withIntermediateDirectories: true)
            let report = try repository.push(
                branch: branch, to: project.httpUrlToRepo, credentials: GitCredentials(username: "oauth2", password: settings.token), force: force,
                deadline: .now + deadline, store: store, workDirectory: configuration.workDirectoryBase)
            outcome.objects = report.objects
            outcome.bytes = report.bytes
        } catch let error as GitPushError {
            // Refused because a concurrent publisher set the very same commit: that is published.
            if case .rejected = error, try client.branch(branch, of: project.pathWithNamespace)?.commit.id == commit.hex {
                return try alreadyPublished(outcome, branch: branch, project: project)
            }
            let message = "GitLab: pushing \(branch) to \(project.pathWithNamespace) failed: \(error)"
            switch error {
            case .rejected, .authenticationFailed: throw PublishingError(message)  // final
            case .timedOut, .failed, .protocolFailure: throw GitLabPushFailure(message: message)  // worth another try
            }
        } catch {
            throw GitLabPushFailure(message: "GitLab: pushing \(branch) to \(project.pathWithNamespace) failed: \(error)")
        }
        try client.setDefaultBranch(branch, of: project)
        return outcome
    }

    /// `outcome` as `already_published`, once `branch` (on GitLab at the commit already) is the
    /// project's default branch.
    private func alreadyPublished(_ outcome: PublishOutcome, branch: String, project: GitLabProject) throws -> PublishOutcome {
        if project.defaultBranch != branch { try client.setDefaultBranch(branch, of: project) }
        var outcome = outcome
        outcome.status = "already_published"
        return outcome
    }

    /// Uploads what GitLab lacks of a dump's LFS objects, each inflated from the store into the
    /// work directory for its upload and removed after it.
    private func uploadLFS(_ records: [LFSConversion.Record], to project: GitLabProject) throws -> LFSClient.UploadReport {
        let store = try StagingStore(root: configuration.storeDirectory)
        let objects = Dictionary(records.map { ($0.oid, $0.object) }) { first, _ in first }
        try FileManager.default.createDirectory(atPath: configuration.workDirectoryBase, withIntermediateDirectories: true)
        let lfs = LFSClient(repository: project.httpUrlToRepo, token: settings.token, transport: try CurlGitLabTransport())
        return try lfs.upload(records.map { LFSObject(oid: $0.oid, size: $0.size) }) { object, send in
            guard let hex = objects[object.oid], let id = ObjectID(hex: hex) else { throw PublishingError("no store object for LFS object \(object.oid)") }
            let file = configuration.workDirectoryBase + "/lfs-\(getpid())-\(object.oid.prefix(16))"
            try? FileManager.default.removeItem(atPath: file)
            defer { try? FileManager.default.removeItem(atPath: file) }
            try store.inflate(id, to: file)
            try send(file)
        }
    }

    /// `<server>/<path>.git` for a project path made of GitLab path segments only.
    static func cloneURL(_ server: String, _ path: String) throws -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(allowed.contains) }) else {
            throw PublishingError("GitLab answered a project path dumpyard will not use: \(path.prefix(200))")
        }
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path + ".git"
    }

    /// Brand and codename from a dump repository's path (`…/<brand>/<codename>.git`).
    static func names(of path: String) throws -> (String, String) {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, let last = parts.last, last.hasSuffix(".git"), last.count > 4 else {
            throw PublishingError("\(path) is not a dump repository path (<brand>/<codename>.git)")
        }
        return (parts[parts.count - 2].lowercased(), String(last.dropLast(4)).lowercased())
    }
}
