import DumpCore
import DumpTestSupport
import Foundation
import Git
import Publishing
import Staging
import Testing

/// A push cut mid-way (fixtures/http/cutproxy.py between dumpyard and the rig's git server)
/// leaves no branch at all, never half of one; the next push completes it.
@Suite struct PushCutTests {
    static let branch = "gravel-user-14-UP1A.231005.007-10754064-release-keys"

    /// dumpyard's own push (from the store). libgit2's push is not run here: after such a cut it
    /// can wait for ever (libgit2 1.5 has no socket timeout; docs/architecture.md).
    @Test func aPushCutMidwayLeavesNoBranchAndTheNextOneCompletesIt() throws {
        GitLibrary.initialize()
        let rig = try Rig()
        let directory = try TemporaryDirectory("push-cut")
        let home = directory.file("home")
        try Tool.check(TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps")],
                       environment: ["DUMPYARD_HOME": home])
        let group = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"]).object["id"] as? Int ?? 0
        let direct = try #require(try rig.api("POST", "/projects", json: ["path": "gravel", "namespace_id": group]).object["http_url_to_repo"] as? String)

        let portFile = directory.file("proxy-port")
        let rigPort = try #require(URLComponents(string: rig.url)?.port)
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        proxy.arguments = [TestPaths.fixture("http/cutproxy.py"), portFile, String(rigPort), "200000"]
        try proxy.run()
        defer {
            kill(proxy.processIdentifier, SIGKILL)
            proxy.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) && Date() < deadline { usleep(20_000) }
        let proxyPort = try String(contentsOfFile: portFile, encoding: .utf8)
        let cut = direct.replacingOccurrences(of: ":\(rigPort)/", with: ":\(proxyPort)/")

        let repository = try DumpRepository(existingAt: directory.file("dumps/yardphone/gravel.git"))
        let store = try StagingStore(root: home + "/store")
        let credentials = GitCredentials(username: "oauth2", password: rig.token)
        #expect(throws: (any Error).self) {
            try repository.push(
                branch: Self.branch, to: cut, credentials: credentials, force: false, deadline: .now + .seconds(60), store: store,
                workDirectory: directory.path)
        }
        let after = try Tool.check("git", ["ls-remote", rig.authenticated(direct)]).stdout
        #expect(!after.contains(Self.branch), "no half branch after the cut: \(after)")

        let report = try repository.push(
            branch: Self.branch, to: direct, credentials: credentials, force: false, deadline: .now + .seconds(60), store: store,
            workDirectory: directory.path)
        #expect(report.objects > 400)
        let clone = directory.file("clone")
        try Tool.check("git", ["clone", "-q", "--branch", Self.branch, rig.authenticated(direct), clone])
        try Tool.check("git", ["-C", clone, "fsck", "--strict"])
        #expect(try Tool.check("git", ["-C", clone, "rev-parse", "HEAD"]).stdout.hasPrefix(try #require(try repository.branchTarget(Self.branch)).hex))
    }
}
