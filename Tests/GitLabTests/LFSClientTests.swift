import DumpTestSupport
import Foundation
import GitLab
import Testing

/// The LFS batch client against the rig's LFS endpoint (which the real git lfs clones through in
/// RigTests): only missing objects go up, streamed from files, verified; lies are refused.
@Suite struct LFSClientTests {
    static func object(_ directory: TemporaryDirectory, _ name: String, size: Int) throws -> (LFSObject, String) {
        let path = directory.file(name)
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: URL(fileURLWithPath: path))
        let oid = String(try Tool.check("sha256sum", [path]).stdout.prefix(64))
        return (LFSObject(oid: oid, size: UInt64(size)), path)
    }

    @Test func onlyMissingObjectsAreUploadedAndTheyComeBackIdentical() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("lfs")
        let gitlab = GitLabClient(url: rig.url, token: rig.token, transport: try CurlGitLabTransport())
        let project = try gitlab.ensureProject("gravel", in: try gitlab.ensureGroup("dumps/yardphone"))
        let big = try Self.object(directory, "big.img", size: 3_000_001)
        let small = try Self.object(directory, "small.bin", size: 1024)
        let files = [big.0.oid: big.1, small.0.oid: small.1]
        try rig.fault(["method": "POST", "path": ".*/info/lfs/objects/batch", "status": 503])
        let lfs = LFSClient(
            repository: project.httpUrlToRepo, token: rig.token, transport: try CurlGitLabTransport(),
            retry: RetryPolicy(attempts: 3, firstBackoff: .milliseconds(50)))
        var asked: [String] = []
        let first = try lfs.upload([big.0, small.0, big.0]) { object, send in
            asked.append(object.oid)
            try send(try #require(files[object.oid]))
        }
        #expect(first == LFSClient.UploadReport(uploaded: 2, bytes: 3_001_025, present: 0))
        #expect(asked.count == 2, "each object read once")
        let second = try lfs.upload([big.0, small.0]) { _, _ in
            Issue.record("nothing should be read: the server has both")
        }
        #expect(second == LFSClient.UploadReport(uploaded: 0, bytes: 0, present: 2))

        // Downloaded back through the batch API with curl: the same bytes.
        let batch = try rig.request(
            "POST", project.httpUrlToRepo + "/info/lfs/objects/batch",
            body: try JSONSerialization.data(withJSONObject: ["operation": "download", "objects": [["oid": big.0.oid, "size": big.0.size]]]),
            headers: ["Authorization: Basic " + Data("oauth2:\(rig.token)".utf8).base64EncodedString(), "Content-Type: application/vnd.git-lfs+json",
                      "Accept: application/vnd.git-lfs+json"])
        let objects = try #require(batch.object["objects"] as? [[String: Any]])
        let download = try #require(((objects.first?["actions"] as? [String: Any])?["download"] as? [String: Any]))
        let href = try #require(download["href"] as? String)
        let headers = (download["header"] as? [String: String] ?? [:]).map { "\($0.key): \($0.value)" }
        let bytes = try rig.request("GET", href, body: nil, headers: headers)
        let original = try Data(contentsOf: URL(fileURLWithPath: big.1))
        #expect(bytes.status == 200 && bytes.body == original)
    }

    @Test func anObjectWhoseBytesDoNotMatchIsRefusedNotStored() throws {
        let rig = try Rig()
        let directory = try TemporaryDirectory("lfs")
        let gitlab = GitLabClient(url: rig.url, token: rig.token, transport: try CurlGitLabTransport())
        let project = try gitlab.ensureProject("gravel", in: try gitlab.ensureGroup("dumps/yardphone"))
        let (real, path) = try Self.object(directory, "a.bin", size: 5000)
        let lie = LFSObject(oid: String(repeating: "0", count: 64), size: real.size)
        let lfs = LFSClient(repository: project.httpUrlToRepo, token: rig.token, transport: try CurlGitLabTransport(), retry: RetryPolicy(attempts: 1))
        let error = #expect(throws: GitLabError.self) { try lfs.upload([lie]) { _, send in try send(path) } }
        #expect(error?.status == 422 && error?.description.contains("LFS upload of 0000") == true, "\(String(describing: error))")
        // Not stored: asked again, the server still wants it (and refuses it again).
        #expect(throws: GitLabError.self) { try lfs.upload([lie]) { _, send in try send(path) } }
    }
}
