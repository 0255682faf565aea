import DumpTestSupport
import Foundation
import GitLab
import Testing

/// A scripted hostile GitLab (fixtures/http/hostile_gitlab.py): two loopback listeners, the
/// configured one (127.0.0.1) and "elsewhere" (localhost), every request journaled.
final class HostileGitLab: @unchecked Sendable {
    let directory: TemporaryDirectory
    let process: Process
    let gitlab: String
    let elsewhere: String

    init(_ rules: [[String: Any]]) throws {
        directory = try TemporaryDirectory("hostile")
        let rulesFile = directory.file("rules.json")
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: rulesFile))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestPaths.fixture("http/hostile_gitlab.py"), rulesFile, directory.file("journal"), directory.file("ports")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: directory.file("ports")) {
            guard Date() < deadline, process.isRunning else { throw CocoaError(.fileNoSuchFile) }
            usleep(20_000)
        }
        let ports = try String(contentsOfFile: directory.file("ports"), encoding: .utf8).split(separator: " ")
        gitlab = "http://127.0.0.1:\(ports[0])"
        elsewhere = "http://localhost:\(ports[1])"
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Every request so far.
    func journal() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory.file("journal"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func requests(to port: String) -> [[String: Any]] { journal().filter { $0["port"] as? String == port } }
}

/// Attack review of the GitLab client and the LFS client: hostile answers, hostile headers.
@Suite(.serialized) struct GitLabAttackTests {
    static let token = "glpat-SECRET-\(UUID().uuidString)"

    static func client(_ server: HostileGitLab, attempts: Int = 3, timeout: Duration = .seconds(5)) throws -> GitLabClient {
        GitLabClient(
            url: server.gitlab, token: token, transport: try CurlGitLabTransport(),
            retry: RetryPolicy(attempts: attempts, firstBackoff: .milliseconds(10)), timeout: timeout)
    }

    static func carriesToken(_ request: [String: Any]) -> Bool {
        let headers = request["headers"] as? [String: String] ?? [:]
        let basic = Data("oauth2:\(token)".utf8).base64EncodedString()
        return headers.values.contains { $0.contains(token) || $0.contains(basic) } || (request["path"] as? String ?? "").contains(token)
    }

    // MARK: Retry-After and RateLimit-Reset

    /// A 429 with an absurd `Retry-After` (or `RateLimit-Reset`) must give a bounded wait, not a crash.
    @Test func aHugeRetryAfterIsCappedNotACrash() async {
        await #expect(processExitsWith: .success) {
            let wait = RetryPolicy().wait(after: GitLabResponse(status: 429, headers: ["retry-after": "1e300"], body: []), attempt: 1, now: 0)
            if wait == nil || wait! > .seconds(60) { exit(1) }
        }
    }

    @Test func anInfiniteRetryAfterIsCappedNotACrash() async {
        await #expect(processExitsWith: .success) {
            let wait = RetryPolicy().wait(after: GitLabResponse(status: 429, headers: ["retry-after": "inf"], body: []), attempt: 1, now: 0)
            if wait == nil || wait! > .seconds(60) { exit(1) }
        }
    }

    @Test func aHugeRateLimitResetIsCappedNotACrash() async {
        await #expect(processExitsWith: .success) {
            let wait = RetryPolicy().wait(after: GitLabResponse(status: 429, headers: ["ratelimit-reset": "1e300"], body: []), attempt: 1, now: 0)
            if wait == nil || wait! > .seconds(60) { exit(1) }
        }
    }

    @Test func negativeOrGarbageRetryAfterBacksOffNormally() {
        for text in ["-5", "garbage", "", "nan", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let wait = RetryPolicy().wait(after: GitLabResponse(status: 429, headers: ["retry-after": text], body: []), attempt: 1, now: 0)
            #expect(wait != nil && wait! >= .zero && wait! <= .seconds(60), "\(text): \(String(describing: wait))")
        }
    }

    // MARK: The token stays on the configured server

    @Test func aNextLinkToAnotherHostStaysOnTheServer() throws {
        let branch = #"[{"name": "a", "commit": {"id": "0123456789012345678901234567890123456789"}}]"#
        let server = try HostileGitLab([
            ["path": "/api/v4/projects/p%2Fq/repository/branches\\?per_page=100", "body": branch,
             "headers": ["Link": "<{ELSEWHERE}/api/v4/projects/p%2Fq/repository/branches?page=2>; rel=\"next\""]],
            ["path": "/api/v4/projects/p%2Fq/repository/branches\\?page=2", "body": branch],
            ["port": "elsewhere", "body": branch],
        ])
        let branches = try Self.client(server).branches(of: "p/q")
        #expect(branches.count == 2)
        #expect(server.requests(to: "elsewhere").isEmpty, "\(server.journal())")
    }

    @Test func aRedirectElsewhereIsNotFollowedWithTheToken() throws {
        let server = try HostileGitLab([
            ["port": "gitlab", "status": 302, "headers": ["Location": "{ELSEWHERE}/api/v4/projects/p%2Fq"]],
            ["port": "elsewhere", "body": "{}"],
        ])
        #expect(throws: GitLabError.self) { try Self.client(server).project("p/q") }
        #expect(!server.requests(to: "elsewhere").contains(where: Self.carriesToken))
    }

    /// A server (or a proxy before it) that echoes the request headers in its error page: the
    /// error dumpyard prints must still not hold the token.
    @Test func anEchoedTokenIsNotRepeatedInTheError() throws {
        let server = try HostileGitLab([["status": 400, "body": #"{"message": "bad header PRIVATE-TOKEN: \#(Self.token)"}"#]])
        do {
            _ = try Self.client(server).project("p/q")
            Issue.record("no error")
        } catch {
            #expect(!"\(error)".contains(Self.token), "\(error)")
        }
    }

    // MARK: Bounded retries and timeouts

    @Test func endless5xxStopsAfterTheAttempts() throws {
        let server = try HostileGitLab([["status": 503, "body": "<html>down</html>"]])
        #expect(throws: GitLabError.self) { try Self.client(server, attempts: 4).project("p/q") }
        #expect(server.journal().count == 4)
    }

    @Test func aStallingServerIsCutByTheTimeout() throws {
        let server = try HostileGitLab([["stall": 30, "body": "{}"]])
        let start = Date()
        #expect(throws: GitLabError.self) { try Self.client(server, attempts: 2, timeout: .seconds(2)).project("p/q") }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func endlessPaginationIsBounded() throws {
        // Each page links to itself: the client must stop (10,000 pages at most).
        let server = try HostileGitLab([
            ["path": "/api/v4/groups/g/subgroups.*", "body": "[]", "headers": ["Link": "<{GITLAB}/api/v4/groups/g/subgroups?page=1>; rel=\"next\""]]
        ])
        let start = Date()
        #expect(throws: GitLabError.self) { try Self.client(server).subgroups(of: "g") }
        #expect(Date().timeIntervalSince(start) < 120)
    }

    // MARK: Hostile JSON

    @Test(arguments: [
        #"{"id": "one", "name": "q", "path": "q", "path_with_namespace": "p/q", "http_url_to_repo": "x"}"#,
        #"{"id": 1}"#, #"[]"#, #"null"#, #"{"id": 1e400}"#, #"{"id": 99999999999999999999999, "name": "q"}"#,
        String(repeating: "[", count: 100_000), "\u{FEFF}garbage\u{0}",
    ])
    func hostileProjectJSONIsAClearError(_ body: String) throws {
        let server = try HostileGitLab([["body": body]])
        do {
            _ = try Self.client(server).project("p/q")
            Issue.record("accepted \(body.prefix(80))")
        } catch {
            #expect("\(error)".hasPrefix("GitLab: get project p/q"), "\(error)")
        }
    }

    @Test func aHugeAnswerIsCutNotHeldInMemory() throws {
        // 80 MB of JSON list: above the transport's 64 MB limit.
        let server = try HostileGitLab([["body": "[" + String(repeating: " ", count: 1 << 20), "repeat": 80]])
        let start = Date()
        do {
            _ = try Self.client(server, attempts: 1).branches(of: "p/q")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("GitLab"), "\(error)")
        }
        #expect(Date().timeIntervalSince(start) < 60)
    }

    // MARK: LFS

    static let oid = String(repeating: "ab", count: 32)

    static func lfs(_ server: HostileGitLab) throws -> LFSClient {
        LFSClient(
            repository: server.gitlab + "/g/p.git", token: token, transport: try CurlGitLabTransport(),
            retry: RetryPolicy(attempts: 2, firstBackoff: .milliseconds(10)), timeout: .seconds(5))
    }

    @Test func anUploadHrefElsewhereGetsOnlyTheActionHeaders() throws {
        let batch = #"{"objects": [{"oid": "\#(Self.oid)", "size": 3, "actions": {"upload": {"href": "{ELSEWHERE}/upload", "header": {"X-Upload": "1"}}, "verify": {"href": "{ELSEWHERE}/verify"}}}]}"#
        let server = try HostileGitLab([
            ["port": "gitlab", "method": "POST", "path": "/g/p.git/info/lfs/objects/batch", "body": batch],
            ["port": "elsewhere", "body": "{}"],
        ])
        let directory = try TemporaryDirectory("lfs-attack")
        try Data("abc".utf8).write(to: URL(fileURLWithPath: directory.file("o")))
        let report = try Self.lfs(server).upload([LFSObject(oid: Self.oid, size: 3)]) { _, send in try send(directory.file("o")) }
        #expect(report.uploaded == 1)
        let away = server.requests(to: "elsewhere")
        #expect(away.count == 2 && !away.contains(where: Self.carriesToken), "\(away)")
    }

    /// A batch answer that leaves an object out (or names only others) says nothing about it:
    /// the upload must not pass as if the server had it.
    @Test(arguments: [#"{"objects": []}"#, #"{"objects": [{"oid": "\#(String(repeating: "cd", count: 32))"}]}"#])
    func aBatchAnswerThatSkipsAnObjectIsNotSuccess(_ batch: String) throws {
        let server = try HostileGitLab([["port": "gitlab", "method": "POST", "path": "/g/p.git/info/lfs/objects/batch", "body": batch]])
        do {
            let report = try Self.lfs(server).upload([LFSObject(oid: Self.oid, size: 3)]) { _, _ in Issue.record("asked for a file") }
            #expect(report.uploaded + report.present == 1, "the object was neither uploaded nor reported present: \(report)")
        } catch {
            // A clear error is fine.
        }
    }

    @Test(arguments: ["file:///tmp/dumpyard-attack-lfs", "ftp://localhost/x", "gopher://localhost/x"])
    func anUploadHrefWithAnotherSchemeIsRefused(_ href: String) throws {
        try? FileManager.default.removeItem(atPath: "/tmp/dumpyard-attack-lfs")
        let batch = #"{"objects": [{"oid": "\#(Self.oid)", "size": 3, "actions": {"upload": {"href": "\#(href)"}}}]}"#
        let server = try HostileGitLab([["port": "gitlab", "method": "POST", "path": "/g/p.git/info/lfs/objects/batch", "body": batch]])
        let directory = try TemporaryDirectory("lfs-attack")
        try Data("abc".utf8).write(to: URL(fileURLWithPath: directory.file("o")))
        #expect(throws: (any Error).self) {
            try Self.lfs(server).upload([LFSObject(oid: Self.oid, size: 3)]) { _, send in try send(directory.file("o")) }
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/dumpyard-attack-lfs"))
    }
}
