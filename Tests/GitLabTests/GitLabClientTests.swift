import DumpTestSupport
import Foundation
import GitLab
import Testing

/// The GitLab client against the rig's stand-in (proven with python-gitlab in RigTests): real
/// HTTP over libcurl, GitLab's answers, injected faults.
@Suite(.serialized) struct GitLabClientTests {
    static func client(_ rig: Rig, token: String? = nil, attempts: Int = 6, pageSize: Int = 100) throws -> GitLabClient {
        GitLabClient(
            url: rig.url, token: token ?? rig.token, transport: try CurlGitLabTransport(),
            retry: RetryPolicy(attempts: attempts, firstBackoff: .milliseconds(50)), timeout: .seconds(10), pageSize: pageSize)
    }

    @Test func groupsAndProjectsAreEnsuredOnceAndRaceSafe() throws {
        let rig = try Rig()
        let gitlab = try Self.client(rig)
        #expect(try gitlab.group("dumps/yardphone") == nil)
        let brand = try gitlab.ensureGroup("dumps/yardphone", name: "Yardphone")
        #expect(brand.fullPath == "dumps/yardphone" && brand.name == "Yardphone" && brand.parentId != nil)
        #expect(try gitlab.ensureGroup("dumps/yardphone").id == brand.id, "idempotent")
        // A concurrent creator wins the POST: the 400 "has already been taken" is read back.
        try rig.fault(["method": "POST", "path": "/api/v4/projects", "race": true])
        let project = try gitlab.ensureProject("gravel", in: brand)
        #expect(project.pathWithNamespace == "dumps/yardphone/gravel" && project.defaultBranch == nil && project.emptyRepo == true)
        #expect(try gitlab.ensureProject("gravel", in: brand).id == project.id)
        #expect(try gitlab.subgroups(of: "dumps").map(\.path) == ["yardphone"])
        #expect(try gitlab.projects(in: "dumps/yardphone").map(\.path) == ["gravel"])
        #expect(try gitlab.branch("main", of: project.pathWithNamespace) == nil)
    }

    @Test func rateLimitsAndServerErrorsAreRetriedAsTheServerSays() throws {
        let rig = try Rig()
        let gitlab = try Self.client(rig)
        try rig.fault(["method": "POST", "path": "/api/v4/groups", "status": 429, "retry_after": 1])
        try rig.fault(["method": "GET", "path": "/api/v4/groups/.*", "status": 503, "count": 2])
        let started = ContinuousClock.now
        let group = try gitlab.ensureGroup("limited")
        #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After: 1 was waited for")
        #expect(group.path == "limited")
        let calls = try rig.requests().map { "\($0["method"] ?? "") \($0["status"] ?? "")" }
        #expect(calls == ["GET 503", "GET 503", "GET 404", "POST 429", "POST 201"], "\(calls)")

        try rig.fault(["method": "GET", "path": "/api/v4/groups/.*", "status": 502, "count": 10])
        let impatient = try Self.client(rig, attempts: 3)
        let error = #expect(throws: GitLabError.self) { try impatient.group("limited") }
        #expect(error?.status == 502 && error?.description.hasPrefix("GitLab: get group limited: HTTP 502") == true, "\(String(describing: error))")
    }

    @Test func aWrongTokenNamesGitLabAndTheStatusNotTheToken() throws {
        let rig = try Rig()
        let secret = "glpat-WRONG-\(UUID().uuidString)"
        let error = #expect(throws: GitLabError.self) { try Self.client(rig, token: secret).ensureGroup("dumps") }
        #expect(error?.status == 401 && error?.description.contains("GitLab") == true && error?.description.contains("401") == true)
        #expect(error?.description.contains(secret) == false, "\(String(describing: error))")
        let down = GitLabClient(url: "http://127.0.0.1:1", token: secret, transport: try CurlGitLabTransport(), retry: RetryPolicy(attempts: 2, firstBackoff: .milliseconds(10)))
        let unreachable = #expect(throws: GitLabError.self) { try down.group("dumps") }
        #expect(unreachable?.status == 0 && unreachable?.description.contains("no answer from 127.0.0.1") == true, "\(String(describing: unreachable))")
        #expect(unreachable?.description.contains(secret) == false)
    }

    @Test func branchesTreesAndFilesOfAPushedProjectAcrossPages() throws {
        let rig = try Rig()
        let gitlab = try Self.client(rig, pageSize: 2)
        let project = try gitlab.ensureProject("gravel", in: try gitlab.ensureGroup("dumps/yardphone"))
        let work = try TemporaryDirectory("gitlab-push")
        try FileManager.default.createDirectory(atPath: work.file("repo/system/etc"), withIntermediateDirectories: true)
        try Data("ro.product.device=gravel\n".utf8).write(to: URL(fileURLWithPath: work.file("repo/system/build.prop")))
        try Data("hosts\n".utf8).write(to: URL(fileURLWithPath: work.file("repo/system/etc/hosts")))
        try Data("readme\n".utf8).write(to: URL(fileURLWithPath: work.file("repo/README.md")))
        let git = { (arguments: [String]) throws in
            try Tool.check("git", ["-C", work.file("repo"), "-c", "user.name=t", "-c", "user.email=t@t"] + arguments)
        }
        _ = try git(["init", "-q", "-b", "gravel-user-14-UP1A"])
        _ = try git(["add", "-A"])
        _ = try git(["commit", "-qm", "build"])
        let remote = rig.authenticated(project.httpUrlToRepo)
        _ = try git(["push", "-q", remote, "HEAD:refs/heads/gravel-user-14-UP1A", "HEAD:refs/heads/other/one", "HEAD:refs/heads/third"])
        let head = try git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        #expect(try gitlab.branch("other/one", of: project.pathWithNamespace)?.commit.id == head, "a name with a slash, encoded")
        #expect(try Set(gitlab.branches(of: project.pathWithNamespace).map(\.name)) == ["gravel-user-14-UP1A", "other/one", "third"], "two pages of two")
        let pages = try rig.requests().filter { ($0["path"] as? String)?.hasSuffix("/repository/branches") == true }
        #expect(pages.count == 2, "the Link to page 2 was followed: \(pages)")
        let tree = try gitlab.tree(of: project.pathWithNamespace, ref: "gravel-user-14-UP1A", recursive: true)
        #expect(Set(tree.map(\.path)) == ["README.md", "system", "system/build.prop", "system/etc", "system/etc/hosts"])
        #expect(try gitlab.tree(of: project.pathWithNamespace, ref: "third", path: "system/etc").map(\.name) == ["hosts"])
        #expect(try gitlab.rawFile("system/build.prop", of: project.pathWithNamespace, ref: "other/one") == Array("ro.product.device=gravel\n".utf8))
        let updated = try gitlab.setDefaultBranch("third", of: project)
        #expect(updated.defaultBranch == "third")
        #expect(try gitlab.project(project.pathWithNamespace)?.defaultBranch == "third")
    }
}
