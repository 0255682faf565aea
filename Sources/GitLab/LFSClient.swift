internal import Foundation
internal import HTTP

/// An object for the LFS server: its SHA-256 (hex) and size.
public struct LFSObject: Sendable, Hashable {
    public var oid: String
    public var size: UInt64

    public init(oid: String, size: UInt64) {
        self.oid = oid
        self.size = size
    }
}

/// The Git LFS batch API of one repository (`<project>.git/info/lfs`, basic transfer): uploads
/// only the objects the server lacks, each streamed from a file, then verified when the server
/// asks. Retries and errors as for the REST API; the token goes only to the batch endpoint, and
/// upload links get the headers the server gave for them.
public final class LFSClient: Sendable {
    private let endpoint: String
    private let authorization: String
    private let exchange: Exchange
    /// The limit of a batch or verify call; an upload gets `uploadTimeout`.
    public let timeout: Duration
    public let uploadTimeout: Duration

    /// `repository` is the project's `http_url_to_repo` (`…/<project>.git`).
    public init(
        repository: String, username: String = "oauth2", token: String, transport: any GitLabTransport, retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(60), uploadTimeout: Duration = .seconds(3600), sleep: (@Sendable (Duration) -> Void)? = nil
    ) {
        var base = repository
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix(".git") { base += ".git" }
        endpoint = base + "/info/lfs"
        authorization = "Basic " + Data("\(username):\(token)".utf8).base64EncodedString()
        exchange = Exchange(transport: transport, retry: retry, sleep: sleep ?? Exchange.defaultSleep, secrets: [token, authorization])
        self.timeout = timeout
        self.uploadTimeout = uploadTimeout
    }

    /// What an upload did.
    public struct UploadReport: Sendable, Hashable {
        public var uploaded: Int
        public var bytes: UInt64
        /// Objects the server had already.
        public var present: Int

        public init(uploaded: Int, bytes: UInt64, present: Int) {
            self.uploaded = uploaded
            self.bytes = bytes
            self.present = present
        }
    }

    /// Uploads what the server lacks of `objects`. `withFile` is asked only for objects that are
    /// sent: it calls its second argument with a file holding the object's bytes (and may remove
    /// the file when that returns).
    public func upload(_ objects: [LFSObject], withFile: (LFSObject, (String) throws -> Void) throws -> Void) throws -> UploadReport {
        var report = UploadReport(uploaded: 0, bytes: 0, present: 0)
        var seen = Set<String>()
        let unique = objects.filter { seen.insert($0.oid).inserted }
        for start in stride(from: 0, to: unique.count, by: 100) {
            let batch = Array(unique[start..<min(start + 100, unique.count)])
            let answers = try self.batch(batch)
            // Every object asked about must be answered: one left out is neither present nor sent.
            let answered = Set(answers.map(\.oid))
            if let missing = batch.first(where: { !answered.contains($0.oid) }) {
                throw GitLabError(operation: "LFS batch of \(batch.count) objects", status: 200, message: "the server did not answer for \(missing.oid)")
            }
            for answer in answers {
                guard let object = batch.first(where: { $0.oid == answer.oid }) else { continue }
                if let error = answer.error {
                    throw GitLabError(operation: "LFS upload of \(object.oid)", status: error.code, message: error.message)
                }
                guard let upload = answer.actions?.upload else {
                    report.present += 1
                    continue
                }
                try withFile(object) { path in
                    var put = HTTPRequest(method: "PUT", url: upload.href, headers: upload.header ?? [:])
                    put.headers["Content-Type"] = "application/octet-stream"
                    put.uploadFile = path
                    put.stallTimeout = timeout
                    put.totalTimeout = uploadTimeout
                    _ = try exchange.send(put, "LFS upload of \(object.oid)")
                }
                if let verify = answer.actions?.verify {
                    var post = HTTPRequest(method: "POST", url: verify.href, headers: verify.header ?? [:])
                    post.headers["Content-Type"] = "application/vnd.git-lfs+json"
                    post.headers["Accept"] = "application/vnd.git-lfs+json"
                    post.body = Array(try JSONSerialization.data(withJSONObject: ["oid": object.oid, "size": object.size]))
                    post.totalTimeout = timeout
                    _ = try exchange.send(post, "LFS verify of \(object.oid)")
                }
                report.uploaded += 1
                report.bytes += object.size
            }
        }
        return report
    }

    private struct BatchAnswer: Decodable {
        struct Action: Decodable {
            var href: String
            var header: [String: String]?
        }

        struct Actions: Decodable {
            var upload: Action?
            var verify: Action?
        }

        struct Failure: Decodable {
            var code: Int
            var message: String
        }

        var oid: String
        var actions: Actions?
        var error: Failure?
    }

    private struct BatchReply: Decodable {
        var objects: [BatchAnswer]
    }

    private func batch(_ objects: [LFSObject]) throws(GitLabError) -> [BatchAnswer] {
        let operation = "LFS batch of \(objects.count) objects"
        var request = HTTPRequest(
            method: "POST", url: endpoint + "/objects/batch",
            headers: ["Authorization": authorization, "Accept": "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json"])
        let body: [String: Any] = [
            "operation": "upload", "transfers": ["basic"], "hash_algo": "sha256",
            "objects": objects.map { ["oid": $0.oid, "size": $0.size] as [String: Any] },
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: body) else { throw GitLabError(operation: operation, status: 0, message: "cannot encode") }
        request.body = Array(data)
        request.totalTimeout = timeout
        request.stallTimeout = timeout
        let response = try exchange.send(request, operation)
        do { return try JSONDecoder().decode(BatchReply.self, from: Data(response.body)).objects } catch {
            throw GitLabError(operation: operation, status: response.status, message: "an answer dumpyard cannot read (\(error))")
        }
    }
}
