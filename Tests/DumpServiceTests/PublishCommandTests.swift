import DumpTestSupport
import Foundation
import Testing

/// `dumpyard dump --publish` and `dumpyard publish` through the binary, onto the GitLab rig
/// (stand-in API proven by python-gitlab, real git http-backend), checked with the real git.
@Suite struct PublishCommandTests {
    static let branch = "gravel-user-14-UP1A.231005.007-10754064-release-keys"
    static let commit = "7f46690b66290b8cdf18fc2bbb5c6102c4012348"

    func environment(_ rig: Rig, _ directory: TemporaryDirectory, token: String? = nil) -> [String: String] {
        ["DUMPYARD_HOME": directory.file("home"), "GITLAB_URL": rig.url, "DUMPER_TOKEN": token ?? rig.token, "GITLAB_ROOT_GROUP": "dumps"]
    }

    @Test func theSampleIsDumpedPublishedAndClonedBackIdentical() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("publish")
        let env = environment(rig, directory)
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps"), "--publish", "--json"],
            environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]], "\(run.stdout)")
        let publish = try #require(answer["publish"])
        #expect(publish["status"] as? String == "published" && publish["project"] as? String == "dumps/yardphone/gravel", "\(publish)")
        #expect(publish["commit"] as? String == Self.commit && (publish["objects"] as? Int ?? 0) > 400)

        // The project the API gives, cloned with the real git: the very tree of the local dump.
        let project = try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object
        #expect(project["default_branch"] as? String == Self.branch)
        let url = try #require(project["http_url_to_repo"] as? String)
        let clone = directory.file("clone")
        try Tool.check("git", ["clone", "-q", "--branch", Self.branch, rig.authenticated(url), clone])
        let local = directory.file("dumps/yardphone/gravel.git")
        let ours = try Tool.check("git", ["--git-dir", local, "ls-tree", "-r", "--full-tree", Self.branch]).stdout
        let theirs = try Tool.check("git", ["-C", clone, "ls-tree", "-r", "--full-tree", "HEAD"]).stdout
        #expect(ours == theirs && ours.split(separator: "\n").count > 400)
        #expect(try Tool.check("git", ["-C", clone, "fsck", "--strict"]).status == 0)

        // Read back: lookup and browse.
        let found = try Tool.run(TestPaths.dumpyardBinary, ["lookup", "Yardphone/gravel", Self.branch], environment: env)
        #expect(found.status == 0 && found.stdout.hasPrefix("already dumped: dumps/yardphone/gravel branch \(Self.branch)"), "\(found.stdout)\(found.stderr)")
        let builds = try Tool.run(TestPaths.dumpyardBinary, ["lookup", "yardphone/gravel", "--json"], environment: env)
        #expect(builds.status == 0 && builds.stdout.contains("\"name\":\"\(Self.branch)\""), "\(builds.stdout)")
        #expect(try Tool.run(TestPaths.dumpyardBinary, ["lookup", "yardphone/gravel", "other-build"], environment: env).status == 3)
        #expect(try Tool.run(TestPaths.dumpyardBinary, ["lookup", "yardphone/nothing"], environment: env).status == 3)
        let byFingerprint = try Tool.run(
            TestPaths.dumpyardBinary, ["lookup", "yardphone/gravel/gravel:14/UP1A.231005.007/10754064:user/release-keys"], environment: env)
        #expect(byFingerprint.status == 0 && byFingerprint.stdout.hasPrefix("already dumped: dumps/yardphone/gravel branch \(Self.branch)"), "\(byFingerprint.stdout)\(byFingerprint.stderr)")
        let otherBuild = try Tool.run(
            TestPaths.dumpyardBinary, ["lookup", "yardphone/gravel/gravel:14/UP1A.231005.007/10754065:user/release-keys"], environment: env)
        #expect(otherBuild.status == 3, "\(otherBuild.stdout)")
        let browse = { (arguments: [String]) throws -> String in
            let run = try Tool.run(TestPaths.dumpyardBinary, ["browse"] + arguments, environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return run.stdout
        }
        #expect(try browse([]) == "yardphone\n")
        #expect(try browse(["yardphone"]) == "gravel\n")
        #expect(try browse(["yardphone/gravel"]) == Self.branch + "\n")
        let top = try browse(["yardphone/gravel@" + Self.branch]).split(separator: "\n").map(String.init)
        #expect(top.contains("system/") && top.contains("vendor/") && top.contains("all_files.txt"), "\(top)")
        let prop = try browse(["yardphone/gravel@\(Self.branch):system/system/build.prop"])
        let localProp = try Tool.check("git", ["--git-dir", local, "cat-file", "-p", Self.branch + ":system/system/build.prop"]).stdout
        #expect(prop == localProp && prop.contains("ro.product"))
        #expect(try browse(["yardphone/gravel@\(Self.branch):system/system/etc"]).contains("\n"))
        let missing = try Tool.run(TestPaths.dumpyardBinary, ["browse", "yardphone/gravel@\(Self.branch):no/such"], environment: env)
        #expect(missing.status == 3 && missing.stdout.contains("has no no/such"), "\(missing.stdout)\(missing.stderr)")
        for absent in ["nobrand", "yardphone/nodevice", "yardphone/gravel@nobranch"] {
            let run = try Tool.run(TestPaths.dumpyardBinary, ["browse", absent, "--json"], environment: env)
            #expect(run.status == 3 && run.stdout.contains("\"found\":false"), "\(absent): \(run.stdout)\(run.stderr)")
        }
        for odd in ["yardphone/gravel/extra", "/gravel", "yardphone/gravel@", "yardphone@x"] {
            #expect(try Tool.run(TestPaths.dumpyardBinary, ["browse", odd], environment: env).status == 2, "\(odd) is a usage error")
        }
        #expect(try Tool.run(TestPaths.dumpyardBinary, ["lookup", "yardphone/gravel@" + Self.branch], environment: env).status == 2)

        // A default branch an earlier run failed to set is set by the next, "already published", one.
        _ = try rig.api("PUT", "/projects/dumps%2Fyardphone%2Fgravel", json: ["default_branch": "other"])
        try Tool.check("git", ["-C", clone, "push", "-q", rig.authenticated(url), "HEAD:refs/heads/other"])
        _ = try rig.api("PUT", "/projects/dumps%2Fyardphone%2Fgravel", json: ["default_branch": "other"])
        #expect(try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env).status == 0)
        #expect(try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object["default_branch"] as? String == Self.branch)

        // Again: already published, nothing sent.
        let again = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env)
        #expect(again.status == 0 && again.stdout.hasPrefix("already published: dumps/yardphone/gravel"), "\(again.stdout)\(again.stderr)")
    }

    @Test func largeFilesGoThroughLFSAndComeBackWhole() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("publish-lfs")
        var env = environment(rig, directory)
        env["LFS_THRESHOLD"] = "300000"
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps"), "--publish", "--json"],
            environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]], "\(run.stdout)")
        #expect(answer["publish"]?["lfs_objects"] as? Int == 2 && answer["publish"]?["lfs_bytes"] as? Int == 357_626 + 1_314_962, "\(answer)")

        // The real git lfs clones it: pointers in the commit, content from the LFS server.
        let home = try GitHome()
        let url = try #require(try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object["http_url_to_repo"] as? String)
        let clone = directory.file("clone")
        try home.git(["clone", "-q", "--branch", Self.branch, rig.authenticated(url), clone])
        let tracked = try home.git(["lfs", "ls-files", "-n"], in: clone).stdout.split(separator: "\n").map(String.init).sorted()
        #expect(tracked == ["system/system/app/YardClockWallpaper/YardClockWallpaper.apk", "system/system/lib64/libyardvision.so"], "\(tracked)")
        try home.git(["lfs", "fsck"], in: clone)
        try home.git(["lfs", "fsck", "--pointers"], in: clone)
        let manifest = try String(contentsOfFile: TestPaths.fixture("sample-firmware.manifest.tsv"), encoding: .utf8)
        for path in tracked {
            let inImage = path.split(separator: "/", maxSplits: 1).map(String.init)
            let line = try #require(manifest.split(separator: "\n").first { $0.hasPrefix(inImage[0] + "\tf\t") && $0.hasSuffix("\t" + inImage[1]) })
            let expected = String(line.split(separator: "\t")[4])
            #expect(try Tool.check("sha256sum", [clone + "/" + path]).stdout.hasPrefix(expected), "\(path) came back whole")
            #expect(try home.git(["cat-file", "-p", "HEAD:" + path], in: clone).stdout.hasPrefix("version https://git-lfs.github.com/spec/v1\n"))
        }
        let again = try Tool.run(TestPaths.dumpyardBinary, ["publish", directory.file("dumps/yardphone/gravel.git"), Self.branch], environment: env)
        #expect(again.status == 0 && again.stdout.hasPrefix("already published"), "\(again.stdout)\(again.stderr)")

        // From another DUMPYARD_HOME the LFS content is unknown: refused, nothing half-published.
        var elsewhere = env
        elsewhere["DUMPYARD_HOME"] = directory.file("other-home")
        elsewhere["GITLAB_ROOT_GROUP"] = "elsewhere"
        let blind = try Tool.run(TestPaths.dumpyardBinary, ["publish", directory.file("dumps/yardphone/gravel.git"), Self.branch], environment: elsewhere)
        #expect(blind.status == 1 && blind.stderr.contains("has Git LFS files, but this machine has no record"), "\(blind.stderr)")
        let branches = try rig.api("GET", "/projects/elsewhere%2Fyardphone%2Fgravel/repository/branches").json as? [[String: Any]]
        #expect(branches?.isEmpty == true, "no branch pushed: \(String(describing: branches))")
    }

    @Test func aSecondBuildSendsOnlyWhatGitLabLacks() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("publish-second")
        let env = environment(rig, directory)
        let first = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps"), "--publish"],
            environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let firstBytes = try Self.receivedBytes(rig)
        // The same firmware with one more file in its package: another build of the same device.
        let second = directory.file("second.zip")
        try FileManager.default.copyItem(atPath: TestPaths.fixture("sample-firmware.zip"), toPath: second)
        try Tool.check("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'a').writestr('release-notes.txt', 'build 2\\n' * 100)", second])
        let run = try Tool.run(TestPaths.dumpyardBinary, ["dump", second, "--out", directory.file("dumps"), "--force", "--publish", "--json"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]], "\(run.stdout)")
        #expect(answer["publish"]?["status"] as? String == "replaced")
        // The new file, all_files.txt (it lists it), the root tree and the commit: a few KB.
        #expect(answer["publish"]?["objects"] as? Int == 4, "\(answer)")
        let secondBytes = try Self.receivedBytes(rig) - firstBytes
        #expect(secondBytes > 0 && secondBytes * 100 < firstBytes, "second push \(secondBytes) bytes against \(firstBytes)")
        let home = try GitHome()
        let url = try #require(try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object["http_url_to_repo"] as? String)
        try home.git(["clone", "-q", "--branch", Self.branch, rig.authenticated(url), directory.file("clone")])
        #expect(FileManager.default.fileExists(atPath: directory.file("clone/release-notes.txt")))
        try home.git(["fsck", "--strict"], in: directory.file("clone"))
    }

    /// Bytes the rig's git server received for pushes so far.
    static func receivedBytes(_ rig: Rig) throws -> Int {
        let requests = try rig.request("GET", rig.url + "/-/rig/git-requests", body: nil, headers: []).json as? [[String: Any]] ?? []
        return requests.filter { ($0["path"] as? String)?.hasSuffix("/git-receive-pack") == true }.reduce(0) { $0 + ($1["request_bytes"] as? Int ?? 0) }
    }

    @Test func anotherCommitOnTheBranchNeedsForceAndAWrongTokenNamesGitLab() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("publish")
        let env = environment(rig, directory)
        let dump = try Tool.run(TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps")], environment: env)
        #expect(dump.status == 0, "\(dump.stderr)")
        let local = directory.file("dumps/yardphone/gravel.git")

        let secret = "glpat-WRONG-\(UUID().uuidString)"
        let denied = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: environment(rig, directory, token: secret))
        #expect(denied.status == 1 && denied.stderr.contains("GitLab") && denied.stderr.contains("401"), "\(denied.stderr)")
        #expect(!denied.stderr.contains(secret) && !denied.stdout.contains(secret))
        let deniedDump = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps"), "--publish", "--json"],
            environment: environment(rig, directory, token: secret))
        #expect(deniedDump.status == 1 && deniedDump.stdout.contains("\"dump\":{") && deniedDump.stdout.contains("\"error\":"), "\(deniedDump.stdout)")
        #expect(deniedDump.stderr.contains("the dump is kept; publish it again with: dumpyard publish ") && !deniedDump.stdout.contains(secret))

        // Someone else's commit on the branch name.
        let group = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"]).object["id"] as? Int ?? 0
        let brand = try rig.api("POST", "/groups", json: ["name": "Yardphone", "path": "yardphone", "parent_id": group]).object["id"] as? Int ?? 0
        let url = try #require(try rig.api("POST", "/projects", json: ["path": "gravel", "namespace_id": brand]).object["http_url_to_repo"] as? String)
        let other = directory.file("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: other + "/x"))
        for arguments in [["init", "-q"], ["add", "x"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                          ["push", "-q", rig.authenticated(url), "HEAD:refs/heads/" + Self.branch]] {
            try Tool.check("git", ["-C", other] + arguments)
        }
        let refused = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env)
        #expect(refused.status == 1 && refused.stderr.contains("at another commit") && refused.stderr.contains("--force"), "\(refused.stderr)")
        let forced = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch, "--force", "--json"], environment: env)
        #expect(forced.status == 0 && forced.stdout.contains("\"status\":\"replaced\""), "\(forced.stdout)\(forced.stderr)")
        let remote = try Tool.check("git", ["ls-remote", rig.authenticated(url), "refs/heads/" + Self.branch]).stdout
        #expect(remote.hasPrefix(Self.commit))

        let unset = try Tool.run(TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("d2"), "--publish"],
                                 environment: ["DUMPYARD_HOME": directory.file("home")])
        #expect(unset.status == 2 && unset.stderr.contains("GITLAB_URL"), "\(unset.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("d2")), "refused before dumping")
    }
}
