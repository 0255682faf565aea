import DumpCore
@testable import DumpService
import DumpTestSupport
import Foundation
import Testing

/// Attack review of `dumpyard publish` (issue 4): a hostile GitLab played by
/// fixtures/http/hostile_gitlab.py (two loopback listeners, every request journaled).
@Suite(.serialized) struct PublishAttackTests {
    static let branch = "gravel-user-14-UP1A.231005.007-10754064-release-keys"
    static let token = "glpat-SECRET-\(UUID().uuidString)"

    final class Server: @unchecked Sendable {
        let directory: TemporaryDirectory
        let process: Process
        let gitlab: String

        init(_ rules: [[String: Any]]) throws {
            directory = try TemporaryDirectory("hostile")
            try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: directory.file("rules.json")))
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [TestPaths.fixture("http/hostile_gitlab.py"), directory.file("rules.json"), directory.file("journal"), directory.file("ports")]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            while !FileManager.default.fileExists(atPath: directory.file("ports")) { usleep(20_000) }
            gitlab = "http://127.0.0.1:" + (try String(contentsOfFile: directory.file("ports"), encoding: .utf8).split(separator: " ")[0])
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func journal() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: directory.file("journal"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    static func carriesToken(_ request: [String: Any]) -> Bool {
        let headers = request["headers"] as? [String: String] ?? [:]
        let basic = Data("oauth2:\(token)".utf8).base64EncodedString()
        return headers.values.contains { $0.contains(token) || $0.contains(basic) }
    }

    /// The API answers of a GitLab holding `dumps/yardphone` and an empty `gravel` whose clone URL is `repository`.
    static func api(repository: String) -> [[String: Any]] {
        let group = #"{"id": 100, "name": "Yardphone", "path": "yardphone", "full_path": "dumps/yardphone"}"#
        let project = #"{"id": 1000, "name": "gravel", "path": "gravel", "path_with_namespace": "dumps/yardphone/gravel", "http_url_to_repo": "\#(repository)", "web_url": "{GITLAB}/dumps/yardphone/gravel"}"#
        return [
            ["port": "gitlab", "method": "GET", "path": "/api/v4/groups/dumps%2Fyardphone", "body": group],
            ["port": "gitlab", "method": "GET", "path": "/api/v4/projects/dumps%2Fyardphone%2Fgravel", "body": project],
            ["port": "gitlab", "method": "PUT", "path": "/api/v4/projects/1000", "body": project],
            ["port": "gitlab", "path": "/api/v4/projects/dumps%2Fyardphone%2Fgravel/repository/branches/.*", "status": 404,
             "body": #"{"message": "404 Branch Not Found"}"#],
        ]
    }

    /// A local dump of the sample firmware (its store holds every blob).
    static func dump(_ directory: TemporaryDirectory, lfs: Bool = false) throws -> (String, [String: String]) {
        var env = ["DUMPYARD_HOME": directory.file("home")]
        if lfs { env["LFS_THRESHOLD"] = "300000" }
        let run = try Tool.run(TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", directory.file("dumps")], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        return (directory.file("dumps/yardphone/gravel.git"), env)
    }

    /// `http_url_to_repo` comes from the server: one naming another host must not get the token
    /// (in the git push's Basic credentials, or the LFS batch's).
    @Test(arguments: [false, true])
    func aCloneURLOnAnotherHostDoesNotGetTheToken(lfs: Bool) throws {
        let directory = try TemporaryDirectory("attack-publish")
        let (local, base) = try Self.dump(directory, lfs: lfs)
        let server = try Server(Self.api(repository: "{ELSEWHERE}/dumps/yardphone/gravel.git") + [["port": "elsewhere", "status": 500, "body": "x"]])
        var env = base
        env["GITLAB_URL"] = server.gitlab
        env["DUMPER_TOKEN"] = Self.token
        let run = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env)
        let away = server.journal().filter { $0["port"] as? String == "elsewhere" }
        #expect(!away.contains(where: Self.carriesToken), "the token went to \(away.map { $0["path"] ?? "" }) (exit \(run.status): \(run.stderr))")
    }

    /// The receive-pack report must confirm the pushed ref itself.
    @Test(arguments: [
        "000eunpack ok\n0019ok refs/heads/other\n0000",
        "000eunpack ok\n0000",
        "000eunpack ok\n0019ok refs/heads/oth",
        "0013unpack failed\n0000",
        "",
        "<html>ok</html>",
    ])
    func aReceivePackReportThatDoesNotConfirmTheBranchIsNotSuccess(_ report: String) throws {
        let directory = try TemporaryDirectory("attack-report")
        let (local, base) = try Self.dump(directory)
        let advertisement = "001f# service=git-receive-pack\n0000"
            + "003f0000000000000000000000000000000000000000 capabilities^{}\0report-status\n0000"
        let server = try Server(Self.api(repository: "{GITLAB}/dumps/yardphone/gravel.git") + [
            ["port": "gitlab", "method": "GET", "path": "/dumps/yardphone/gravel.git/info/refs.*", "body": advertisement,
             "headers": ["Content-Type": "application/x-git-receive-pack-advertisement"]],
            ["port": "gitlab", "method": "POST", "path": "/dumps/yardphone/gravel.git/git-receive-pack", "body": report,
             "headers": ["Content-Type": "application/x-git-receive-pack-result"]],
        ])
        var env = base
        env["GITLAB_URL"] = server.gitlab
        env["DUMPER_TOKEN"] = Self.token
        let run = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env)
        #expect(run.status != 0, "reported success for \(report.debugDescription): \(run.stdout)")
        #expect(!run.stderr.contains(Self.token) && !run.stdout.contains(Self.token))
    }

    /// Without --force, a branch the git server advertises at another commit (the API having said
    /// nothing) is not overwritten, even when the advertised id is bogus.
    @Test(arguments: ["1111111111111111111111111111111111111111", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"])
    func anAdvertisedBranchAtAnotherCommitIsNotOverwritten(_ id: String) throws {
        let directory = try TemporaryDirectory("attack-ff")
        let (local, base) = try Self.dump(directory)
        let ref = "\(id) refs/heads/\(Self.branch)\0report-status\n"
        let line = String(format: "%04x", ref.utf8.count + 4) + ref
        let server = try Server(Self.api(repository: "{GITLAB}/dumps/yardphone/gravel.git") + [
            ["port": "gitlab", "method": "GET", "path": "/dumps/yardphone/gravel.git/info/refs.*", "body": "001f# service=git-receive-pack\n0000" + line + "0000"],
            ["port": "gitlab", "method": "POST", "path": ".*git-receive-pack", "body": "000eunpack ok\n0000"],
        ])
        var env = base
        env["GITLAB_URL"] = server.gitlab
        env["DUMPER_TOKEN"] = Self.token
        let run = try Tool.run(TestPaths.dumpyardBinary, ["publish", local, Self.branch], environment: env)
        #expect(run.status != 0 && run.stderr.contains("fast-forward"), "\(run.stdout)\(run.stderr)")
        #expect(!server.journal().contains { $0["method"] as? String == "POST" && ($0["path"] as? String ?? "").hasSuffix("git-receive-pack") })
    }

    // MARK: LFS attributes for hostile names

    /// Every pointer path must get filter=lfs from the generated .gitattributes, and no other file.
    @Test(arguments: [
        "big\nsmall.txt", "#big", "!big", "dir/ big \t", String(repeating: "d", count: 200) + String(repeating: "/" + String(repeating: "d", count: 200), count: 10),
        "a\\b", "[x]*?", "\"quoted\"", "big\r",
    ])
    func generatedAttributesTrackExactlyThePointers(_ name: String) throws {
        // Names no attribute line can hold exactly (a line break, past git's line limit) are
        // never made pointers: they stay plain blobs.
        if name.contains("\n") || name.utf8.count > 1800 {
            #expect(!LFSConversion.fitsAttributes(RepoPath(name)))
            return
        }
        #expect(LFSConversion.fitsAttributes(RepoPath(name)))
        let home = try GitHome()
        let directory = try TemporaryDirectory("attack-attrs")
        let work = directory.file("w")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try home.git(["init", "-q", work])
        try Data(LFSAttributes.file(for: [RepoPath(name)])).write(to: URL(fileURLWithPath: work + "/.gitattributes"))
        let check = try home.git(["check-attr", "-z", "filter", "--", name, "small.txt", "other"], in: work)
        let fields = check.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        var values: [String: String] = [:]
        for index in stride(from: 0, to: fields.count - 2, by: 3) { values[fields[index]] = fields[index + 2] }
        #expect(values[name] == "lfs", "the pointer is not tracked: \(values.mapValues { $0 }) \(check.stderr)")
        #expect(values["small.txt"] == "unspecified" && values["other"] == "unspecified", "other files tracked: \(values)")
    }
}
