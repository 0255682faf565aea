import DumpTestSupport
import Foundation
import Testing

/// `dumpyard submit | status | cancel | retry | stats` through the real binary against a real
/// redis-server.
@Suite struct QueueCommandTests {
    func dumpyard(_ arguments: [String], redis: String) throws -> ToolOutput {
        try Tool.run(TestPaths.dumpyardBinary, arguments, environment: ["REDIS_URL": redis, "REDIS_KEY_PREFIX": "test:{q}:"])
    }

    @Test func submitStatusCancelAndStats() throws {
        let server = try RedisServer(password: "s3cret")
        let url = server.url()
        let firmware = TestPaths.fixture("sample-firmware.zip")
        let submitted = try dumpyard(["submit", firmware, "--id", "job-1", "--priority", "7", "--json"], redis: url)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let summary = try #require(JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])
        #expect(summary["state"] as? String == "queued")
        #expect(summary["url"] as? String == "file://" + URL(fileURLWithPath: firmware).standardizedFileURL.path)
        #expect(try dumpyard(["submit", firmware, "--id", "job-1"], redis: url).stdout.contains("job job-1 already exists (queued)"))
        let secret = try dumpyard(["submit", "https://user:pw@host.example/fw.zip?token=abc", "--private", "--id", "job-2"], redis: url)
        #expect(secret.status == 0 && secret.stdout.contains("(private)") && !secret.stdout.contains("pw@"), "\(secret.stdout)")
        let public_ = try dumpyard(["submit", "https://user:pw@host.example/fw.zip?token=abc", "--id", "job-3"], redis: url)
        #expect(public_.stdout.contains("https://host.example/fw.zip") && !public_.stdout.contains("token"), "\(public_.stdout)")

        let overview = try dumpyard(["status"], redis: url)
        #expect(overview.stdout.hasPrefix("queued 3, running 0, retrying 0, failed 0, finished 0"), "\(overview.stdout)")
        let detail = try dumpyard(["status", "job-2", "--json"], redis: url)
        let fields = try #require(JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: String])
        #expect(fields["state"] == "QUEUED" && fields["url"] == "(private)" && fields["payload"] == nil)

        #expect(try dumpyard(["cancel", "job-1"], redis: url).stdout.contains("cancelled job job-1"))
        #expect(try dumpyard(["cancel", "job-1"], redis: url).stdout.contains("already ended (cancelled)"))
        let unknown = try dumpyard(["cancel", "nope"], redis: url)
        #expect(unknown.status == 1 && unknown.stderr.contains("no job nope"))
        let notFailed = try dumpyard(["retry", "job-2"], redis: url)
        #expect(notFailed.status == 1 && notFailed.stderr.contains("job job-2 is not failed (queued)"))
        let stats = try dumpyard(["stats", "--json"], redis: url)
        let counters = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Int])
        #expect(counters["submitted"] == 3 && counters["cancelled"] == 1)
        #expect(counters["completed"] == 0 && counters["published"] == 0, "every counter, zeros included: \(counters)")
    }

    @Test func usageErrorsAndAnUnreachableQueue() throws {
        let server = try RedisServer(password: "s3cret")
        let port = server.port
        server.stop()
        let down = try dumpyard(["status"], redis: "redis://:s3cret@127.0.0.1:\(port)/0")
        #expect(down.status == 1)
        #expect(down.stderr.contains("cannot reach the job queue") && !down.stderr.contains("s3cret"), "\(down.stderr)")
        #expect(try dumpyard(["submit", "ftp://x/y"], redis: "redis://127.0.0.1:\(port)").status == 2)
        #expect(try dumpyard(["submit", "/no/such/file.zip"], redis: "redis://127.0.0.1:\(port)").stderr.contains("no such file"))
        #expect(try dumpyard(["submit", "x", "--priority", "12"], redis: "redis://127.0.0.1:\(port)").status == 2)
        let badWorker = try Tool.run(
            TestPaths.dumpyardBinary, ["worker", "w"],
            environment: ["REDIS_URL": "redis://127.0.0.1:\(port)", "ALLOW_PRIVATE_URLS": "banana", "WORK_DIR_BASE": NSTemporaryDirectory() + "/dy-bad-worker"])
        #expect(badWorker.status == 1 && badWorker.stderr.contains("ALLOW_PRIVATE_URLS"), "a bad download setting stops the worker at start: \(badWorker.stderr)")
        let badURL = try dumpyard(["stats"], redis: "rediss://host")
        #expect(badURL.status == 1 && badURL.stderr.contains("REDIS_URL"))
    }
}
