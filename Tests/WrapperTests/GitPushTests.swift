import DumpTestSupport
import Foundation
import Git
import Testing

/// libgit2 pushes over smart HTTP to the rig's real `git http-backend` (behind nginx, token auth).
@Suite struct GitPushTests {
    init() { GitLibrary.initialize() }

    /// A bare repository with one commit on `branch` made by the git CLI; returns its path and the commit.
    static func repository(_ directory: TemporaryDirectory, files: [String: String], branch: String = "build-1") throws -> (String, String) {
        let work = directory.file("work-\(UUID().uuidString.prefix(6))")
        for (path, content) in files {
            let file = work + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        }
        let git = { (arguments: [String]) throws -> String in
            try Tool.check("git", ["-C", work, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["init", "-q", "-b", branch])
        _ = try git(["add", "-A"])
        _ = try git(["commit", "-qm", "build"])
        return (work + "/.git", try git(["rev-parse", "HEAD"]))
    }

    static func project(_ rig: Rig, _ path: String) throws -> String {
        let group = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"])
        let existing = try rig.api("GET", "/groups/dumps").object["id"] as? Int
        let id = group.object["id"] as? Int ?? existing ?? 0
        let project = try rig.api("POST", "/projects", json: ["name": path, "path": path, "namespace_id": id])
        return try #require(project.object["http_url_to_repo"] as? String, "\(project.text)")
    }

    @Test func aBranchIsPushedChecksAndComesBackIdentical() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("push")
        let url = try Self.project(rig, "gravel")
        let (path, commit) = try Self.repository(directory, files: ["system/build.prop": "ro.x=1\n", "README.md": "hi\n"])
        let repository = try GitRepository.openBare(at: path)
        var seen: [GitPushProgress] = []
        let report = try repository.push(
            ["refs/heads/build-1:refs/heads/build-1"], to: url, credentials: GitCredentials(username: "oauth2", password: rig.token),
            deadline: .now + .seconds(60)) { seen.append($0) }
        #expect(report.objects >= 5 && report.bytes > 0, "\(report)")
        #expect(seen.last?.objectsSent == report.objects)
        let clone = directory.file("clone")
        try Tool.check("git", ["clone", "-q", "--branch", "build-1", rig.authenticated(url), clone])
        #expect(try Tool.check("git", ["-C", clone, "rev-parse", "HEAD"]).stdout.hasPrefix(commit))
        #expect(try String(contentsOfFile: clone + "/system/build.prop", encoding: .utf8) == "ro.x=1\n")

        // Again: the remote has everything, nothing is sent.
        let again = try repository.push(["refs/heads/build-1:refs/heads/build-1"], to: url, credentials: GitCredentials(username: "oauth2", password: rig.token))
        #expect(again.objects == 0, "\(again)")
    }

    @Test func aRefusedUpdateAndRefusedCredentialsAreErrorsWithoutTheToken() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("push")
        let url = try Self.project(rig, "gravel")
        let credentials = GitCredentials(username: "oauth2", password: rig.token)
        let (first, _) = try Self.repository(directory, files: ["a": "1\n"])
        try GitRepository.openBare(at: first).push(["refs/heads/build-1:refs/heads/build-1"], to: url, credentials: credentials)
        // Another history on the same branch: not a fast-forward.
        let (second, secondCommit) = try Self.repository(directory, files: ["a": "2\n"])
        let other = try GitRepository.openBare(at: second)
        let refused = #expect(throws: GitPushError.self) {
            try other.push(["refs/heads/build-1:refs/heads/build-1"], to: url, credentials: credentials)
        }
        guard case .rejected(let refs)? = refused else {
            Issue.record("expected a refused update, got \(String(describing: refused))")
            return
        }
        #expect(refs.keys.contains("refs/heads/build-1"), "\(refs)")
        // Forced, it goes through.
        try other.push(["+refs/heads/build-1:refs/heads/build-1"], to: url, credentials: credentials)
        let remote = try Tool.check("git", ["ls-remote", rig.authenticated(url), "refs/heads/build-1"]).stdout
        #expect(remote.hasPrefix(secondCommit))

        // The server's own refusal (a hook here) comes back only as a reference status.
        let bare = rig.state.dir + "/repos/dumps/gravel.git"
        let hooks = directory.file("hooks")
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        let hook = hooks + "/pre-receive"
        try Data("#!/bin/sh\necho 'dumps are read-only today' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: hook))
        _ = try Tool.check("chmod", ["+x", hook])
        let rigHooks = try Tool.check("git", ["--git-dir", bare, "config", "core.hooksPath"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Tool.check("git", ["--git-dir", bare, "config", "core.hooksPath", hooks])
        let declined = #expect(throws: GitPushError.self) {
            try other.push(["refs/heads/build-1:refs/heads/build-2"], to: url, credentials: credentials)
        }
        guard case .rejected(let declinedRefs)? = declined else {
            Issue.record("expected the hook's refusal, got \(String(describing: declined))")
            return
        }
        #expect(declinedRefs["refs/heads/build-2"]?.contains("declined") == true, "\(declinedRefs)")
        _ = try Tool.check("git", ["--git-dir", bare, "config", "core.hooksPath", rigHooks])

        let secret = "glpat-WRONG-\(UUID().uuidString)"
        let denied = #expect(throws: GitPushError.self) {
            try other.push(["refs/heads/build-1:refs/heads/x"], to: url, credentials: GitCredentials(username: "oauth2", password: secret))
        }
        guard case .authenticationFailed? = denied else {
            Issue.record("expected refused credentials, got \(String(describing: denied))")
            return
        }
        #expect(denied?.description.contains(secret) == false)
    }
}
