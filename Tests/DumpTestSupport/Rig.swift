public import Foundation

/// The local GitLab rig (`fixtures/rig/rig.py`): nginx in front of `git http-backend` and of the
/// GitLab stand-in (REST API v4 + LFS) on a free loopback port, in its own directory; stopped when
/// released.
public final class Rig: Sendable {
    /// What `rig.py start` prints.
    public struct State: Decodable, Sendable {
        /// `http://127.0.0.1:<port>`: the git server, the API under `/api/v4`, admin under `/-/rig`.
        public var url: String
        public var token: String
        public var dir: String
        public var pids: [String: Int32]
    }

    public let state: State
    private let directory: TemporaryDirectory

    public var url: String { state.url }
    public var token: String { state.token }

    public init() throws {
        directory = try TemporaryDirectory("rig")
        let run = directory.file("run")
        let started = try Tool.check(Self.python, [Self.script, "start", "--dir", run])
        do {
            state = try JSONDecoder().decode(State.self, from: started.stdoutBytes)
        } catch {
            // No deinit runs for a half-made instance: stop what was started here.
            _ = try? Tool.run(Self.python, [Self.script, "stop", "--dir", run])
            throw error
        }
    }

    deinit { stop() }

    /// Stops every process of the rig (idempotent).
    public func stop() {
        _ = try? Tool.run(Self.python, [Self.script, "stop", "--dir", state.dir])
    }

    /// `url` with `oauth2:<token>@` in it, as git is given credentials.
    public func authenticated(_ url: String, token: String? = nil) -> String {
        url.replacingOccurrences(of: "://", with: "://oauth2:\(token ?? state.token)@")
    }

    /// Calls the API (`path` after `/api/v4`, already percent-encoded) with curl.
    public func api(_ method: String, _ path: String, json: [String: Any]? = nil, headers: [String]? = nil) throws -> RigAnswer {
        try request(method, url + "/api/v4" + path, body: json.map { try JSONSerialization.data(withJSONObject: $0) },
                     headers: (headers ?? ["PRIVATE-TOKEN: \(token)"]) + ["Content-Type: application/json"])
    }

    /// Queues a fault rule (see `fixtures/rig/standin/faults.py`).
    public func fault(_ rule: [String: Any]) throws {
        let answer = try request("POST", url + "/-/rig/faults", body: try JSONSerialization.data(withJSONObject: rule), headers: [])
        guard answer.status == 201 else { throw RigFailed(message: "fault rule refused: \(answer.text)") }
    }

    /// The API and LFS requests recorded so far: method, raw path, query, status.
    public func requests() throws -> [[String: Any]] {
        try request("GET", url + "/-/rig/requests", body: nil, headers: []).json as? [[String: Any]] ?? []
    }

    /// One HTTP request with curl: the status, headers (names lower-cased) and body.
    public func request(_ method: String, _ url: String, body: Data?, headers: [String]) throws -> RigAnswer {
        var arguments = ["-sS", "-D", "-", "-o", "-", "-X", method, "-H", "Expect:"]
        for header in headers { arguments += ["-H", header] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        let output = try Tool.run("curl", arguments + [url], input: body ?? Data())
        guard output.status == 0 else { throw RigFailed(message: "curl \(method) \(url): \(output.stderr)") }
        return try RigAnswer(curlOutput: output.stdoutBytes)
    }

    static let python = "/usr/bin/python3"
    static let script = TestPaths.fixture("rig/rig.py")
}

/// One answer of the rig.
public struct RigAnswer: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    public var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// Parses `curl -D - -o -`: status line, headers, blank line, body.
    init(curlOutput: Data) throws {
        let separator = Data("\r\n\r\n".utf8)
        guard let end = curlOutput.range(of: separator) else { throw RigFailed(message: "no HTTP header in curl output") }
        let lines = String(decoding: curlOutput[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = Data(curlOutput[end.upperBound...])
    }
}

public struct RigFailed: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { "rig: \(message)" }
}
