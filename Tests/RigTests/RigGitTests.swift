import DumpTestSupport
import Foundation
import Testing

/// The real git and git-lfs clients against the rig: push, clone through the `http_url_to_repo`
/// the API gives, LFS objects checked on both ends, token auth (reference/git.md §5.1, §5.2, §5.4).
@Suite struct RigGitTests {
    /// A project `dumps/<brand>/<name>` made through the API; its JSON.
    static func project(_ rig: Rig, _ name: String, brand: String = "yardphone") throws -> [String: Any] {
        let top = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"])
        let topID = top.status == 201 ? top.object["id"] : try rig.api("GET", "/groups/dumps").object["id"]
        let sub = try rig.api("POST", "/groups", json: ["name": brand, "path": brand, "parent_id": topID ?? 0])
        let subID = sub.status == 201 ? sub.object["id"] : try rig.api("GET", "/groups/dumps%2F\(brand)").object["id"]
        let project = try rig.api("POST", "/projects", json: ["name": name, "namespace_id": subID ?? 0])
        guard project.status == 201 else { throw RigFailed(message: "project: \(project.status) \(project.text)") }
        return project.object
    }

    @Test func anLFSFilePushedWithGitComesBackThroughTheProjectsCloneURL() throws {
        let rig = try Rig()
        let home = try GitHome()
        let project = try Self.project(rig, "gravel")
        let cloneURL = try #require(project["http_url_to_repo"] as? String)
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        let tree = try home.commit(
            ["system/big.img": big, "system/build.prop": Data("ro.product.device=gravel\n".utf8)], lfs: ["system/big.img"],
            branch: "gravel-user-14-UP1A-release-keys")
        try home.git(["push", "-q", rig.authenticated(cloneURL), "HEAD"], in: tree)

        let clone = home.directory.file("clone")
        try home.git(["clone", "-q", rig.authenticated(cloneURL), clone])
        #expect(try Data(contentsOf: URL(fileURLWithPath: clone + "/system/big.img")) == big)
        #expect(try home.attempt(["lfs", "fsck"], in: clone).status == 0)
        #expect(try home.attempt(["lfs", "fsck", "--pointers"], in: clone).status == 0)
        #expect(try home.git(["lfs", "ls-files", "-n"], in: clone).stdout == "system/big.img\n")
        let stored = try home.git(["cat-file", "-p", "HEAD:system/big.img"], in: clone).stdout
        #expect(stored.hasPrefix("version https://git-lfs.github.com/spec/v1\noid sha256:"), "the commit holds a pointer")

        let batches = try rig.requests().filter { ($0["path"] as? String)?.hasSuffix("/info/lfs/objects/batch") == true }
        #expect(batches.count == 2 && batches.allSatisfy { $0["status"] as? Int == 200 }, "one upload batch, one download batch")
        let raw = try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel/repository/files/system%2Fbig.img/raw?ref=gravel-user-14-UP1A-release-keys&lfs=true")
        #expect(raw.body == big)
    }

    @Test func anEmptyProjectGetsTheFirstPushedBranchAsDefault() throws {
        let rig = try Rig()
        let home = try GitHome()
        let project = try Self.project(rig, "pebble")
        #expect(project["empty_repo"] as? Bool == true)
        #expect(project["default_branch"] is NSNull)
        #expect((try rig.api("GET", "/projects/dumps%2Fyardphone%2Fpebble/repository/branches").json as? [Any])?.isEmpty == true)

        let cloneURL = rig.authenticated(try #require(project["http_url_to_repo"] as? String))
        let first = try home.commit(["a.txt": Data("a\n".utf8)], branch: "first/build")
        try home.git(["push", "-q", cloneURL, "HEAD"], in: first)
        let second = try home.commit(["b.txt": Data("b\n".utf8)], branch: "second")
        try home.git(["push", "-q", cloneURL, "HEAD"], in: second)

        let pushed = try rig.api("GET", "/projects/dumps%2Fyardphone%2Fpebble").object
        #expect(pushed["empty_repo"] as? Bool == false)
        #expect(pushed["default_branch"] as? String == "first/build")
        let branch = try rig.api("GET", "/projects/dumps%2Fyardphone%2Fpebble/repository/branches/first%2Fbuild")
        #expect(branch.object["default"] as? Bool == true)
        let clone = home.directory.file("clone")
        try home.git(["clone", "-q", cloneURL, clone])
        #expect(try home.git(["branch", "--show-current"], in: clone).stdout == "first/build\n")
    }

    @Test func gitWithAWrongTokenIsRefusedWith401() throws {
        let rig = try Rig()
        let home = try GitHome()
        let cloneURL = try #require(try Self.project(rig, "slate")["http_url_to_repo"] as? String)
        let refused = try home.attempt(["ls-remote", rig.authenticated(cloneURL, token: "wrong"), "HEAD"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Authentication failed"), "\(refused.stderr)")
        let anonymous = try rig.request("GET", cloneURL + "/info/refs?service=git-upload-pack", body: nil, headers: [])
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        #expect(try home.attempt(["ls-remote", rig.authenticated(cloneURL), "HEAD"]).status == 0)
    }

    @Test func theLFSServerRefusesABodyOfAnotherSizeOrHash() throws {
        let rig = try Rig()
        let cloneURL = try #require(try Self.project(rig, "flint")["http_url_to_repo"] as? String)
        let basic = "Authorization: Basic " + Data("oauth2:\(rig.token)".utf8).base64EncodedString()
        let oid = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  // sha256("hello")
        let upload = cloneURL + "/gitlab-lfs/objects/\(oid)/5"
        #expect(try rig.request("PUT", upload, body: Data("hellx".utf8), headers: [basic]).status == 422)
        #expect(try rig.request("PUT", upload, body: Data("hello!".utf8), headers: [basic]).status == 422)
        #expect(try rig.request("GET", cloneURL + "/gitlab-lfs/objects/\(oid)", body: nil, headers: [basic]).status == 404)
        #expect(try rig.request("PUT", upload, body: Data("hello".utf8), headers: []).status == 401)
        #expect(try rig.request("PUT", upload, body: Data("hello".utf8), headers: [basic]).status == 200)
        #expect(try rig.request("GET", cloneURL + "/gitlab-lfs/objects/\(oid)", body: nil, headers: [basic]).text == "hello")

        let batch = try JSONSerialization.data(withJSONObject: ["operation": "upload", "objects": [["oid": oid, "size": 5]]])
        let answer = try rig.request("POST", cloneURL + "/info/lfs/objects/batch", body: batch,
                                     headers: [basic, "Content-Type: application/vnd.git-lfs+json", "Accept: application/vnd.git-lfs+json"])
        let objects = try #require(answer.object["objects"] as? [[String: Any]])
        #expect(objects.count == 1 && objects[0]["actions"] == nil, "a stored object needs no upload")
    }
}
