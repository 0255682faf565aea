import DumpCore
import DumpTestSupport
import Foundation
import JobQueue
import Testing

/// The worker on real firmware: the sample package dumped through the queue, published once even
/// when the worker dies after the push, bad firmware failing its job without harming the worker.
extension WorkerFaultTests {
    static let sampleCommit = "7f46690b66290b8cdf18fc2bbb5c6102c4012348"
    static let sampleBranch = "gravel-user-14-UP1A.231005.007-10754064-release-keys"

    func result(_ rig: QueueRig, _ id: String) throws -> [String: Any] {
        let text = try #require(try rig.job(id)["result"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("The sample firmware through the queue: dumped, branch published, the same build again already dumped")
    func sampleFirmwareThroughTheQueue() throws {
        let rig = try QueueRig()
        let firmware = "file://" + TestPaths.fixture("sample-firmware.zip")
        try rig.submit("first", firmware)
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(120)), explain([worker]))
        #expect(try rig.state("first") == .completed, explain([worker]))
        let first = try result(rig, "first")
        #expect(first["status"] as? String == "dumped")
        #expect(first["commit"] as? String == Self.sampleCommit)
        let repository = try #require(first["repository"] as? String)
        #expect(repository == rig.directory.file("dumps") + "/yardphone/gravel.git")
        let branch = try Tool.check("git", ["--git-dir", repository, "rev-parse", "refs/heads/" + Self.sampleBranch])
        #expect(branch.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == Self.sampleCommit)
        #expect(try rig.job("first")["pct"] == "100")
        // `dumpyard status <job>` shows the result as its parts.
        let shown = try Tool.run(TestPaths.dumpyardBinary, ["status", "first"], environment: ["REDIS_URL": rig.redis.url(), "REDIS_KEY_PREFIX": rig.prefix])
        #expect(shown.stdout.contains("  result     dumped\n") && shown.stdout.contains("  repository " + repository), "\(shown.stdout)\n\(shown.stderr)")
        #expect(shown.stdout.contains("  branch     " + Self.sampleBranch) && shown.stdout.contains("  commit     " + Self.sampleCommit), "\(shown.stdout)")

        try rig.submit("again", TestPaths.fixture("sample-firmware.zip"))
        #expect(rig.waitQuiescent(.seconds(120)), explain([worker]))
        #expect(try result(rig, "again")["status"] as? String == "already_dumped")
        #expect(rig.pushes().changed["again"] == nil && rig.pushes().changed["first"] == 1)
        // Every job's work directory is gone.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: rig.directory.file("work"))) ?? []
        #expect(left.isEmpty, "work directories left: \(left)")
        try rig.checkInvariants()
    }

    @Test("With GITLAB_URL a job is published to GitLab, LFS objects first; a half-made GitLab setting stops the worker")
    func jobsArePublishedToGitLab() throws {
        let rig = try QueueRig()
        let gitlab = try Rig()
        let environment = ["GITLAB_URL": gitlab.url, "DUMPER_TOKEN": gitlab.token, "GITLAB_ROOT_GROUP": "dumps", "LFS_THRESHOLD": "300000"]
        let broken = try rig.startWorker("broken", environment: ["GITLAB_URL": gitlab.url, "DUMPER_TOKEN": "", "GITLAB_TOKEN": ""])
        let status = broken.wait(timeout: .seconds(20))
        #expect(status.map { $0 >> 8 } == 1 && broken.output.contains("DUMPER_TOKEN"), "exit status \(String(describing: status)): \(explain([broken]))")

        try rig.submit("first", "file://" + TestPaths.fixture("sample-firmware.zip"))
        let worker = try rig.startWorker("w1", environment: environment)
        #expect(rig.waitQuiescent(.seconds(120)), explain([worker]))
        let first = try result(rig, "first")
        #expect(first["status"] as? String == "dumped" && first["repository"] as? String == gitlab.url + "/dumps/yardphone/gravel", "\(first)")
        let branch = try gitlab.api("GET", "/projects/dumps%2Fyardphone%2Fgravel/repository/branches/" + Self.sampleBranch).object
        let commit = (branch["commit"] as? [String: Any])?["id"] as? String
        #expect(commit != nil && commit != Self.sampleCommit, "LFS pointers make another commit than the plain sample: \(branch)")
        let project = try gitlab.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object
        #expect(project["default_branch"] as? String == Self.sampleBranch)
        let uploads = try gitlab.requests().filter { ($0["method"] as? String) == "PUT" && ($0["path"] as? String)?.contains("/api/v4/") == false }
        #expect(uploads.count == 2, "two LFS objects uploaded: \(uploads)")
        try rig.checkInvariants()
    }

    @Test("A worker killed after pushing a real dump's branch: the retry finds the branch in place")
    func realDumpKilledAfterPublish() throws {
        let rig = try QueueRig()
        try rig.submit("j", "file://" + TestPaths.fixture("sample-firmware.zip"))
        let doomed = try rig.startWorker("doomed", environment: ["DUMPYARD_CRASH_AT": "after_publish"])
        #expect(doomed.wait(timeout: .seconds(120)) != nil, explain([doomed]))
        let rescuer = try rig.startWorker("rescuer")
        #expect(rig.waitQuiescent(.seconds(120)), explain([doomed, rescuer]))
        #expect(try rig.state("j") == .completed)
        #expect(try result(rig, "j")["status"] as? String == "already_dumped")
        #expect(rig.pushes().all["j"] == 2 && rig.pushes().changed["j"] == 1)
        try rig.checkInvariants()
    }

    @Test("Bad firmware, a URL the worker cannot fetch and a garbage payload fail clearly; the worker goes on")
    func badJobsFailAndTheWorkerSurvives() throws {
        let rig = try QueueRig()
        try rig.submit("truncated", TestPaths.fixture("bad/truncated.zip"))
        try rig.submit("remote", "https://10.1.2.3/firmware.zip?token=secret")
        _ = try rig.queue.submit(id: "garbage", payload: Array("not json".utf8))
        try rig.submit("good", TestPaths.fixture("sample-firmware.zip"), priority: 1)
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(120)) { try rig.state("good") == .completed }, explain([worker]))
        #expect(try rig.state("truncated") == .failed && rig.job("truncated")["attempts"] == "1")
        let error = try rig.job("truncated")["last_error"] ?? ""
        #expect(error.contains("truncated.zip"), "last_error: \(error)")
        #expect(try rig.state("remote") == .failed)
        let remote = try rig.job("remote")["last_error"] ?? ""
        #expect(remote.contains("download failed: 10.1.2.3: refused"), "\(remote)")
        #expect(try rig.state("garbage") == .failed)
        #expect(!worker.output.contains("secret"), "the URL's query never reaches the log")
        #expect(worker.isRunning)
    }

    @Test("Work directories of dead workers are swept at start; one still held is kept")
    func staleWorkDirectoriesAreSwept() throws {
        let rig = try QueueRig()
        let base = rig.directory.file("work")
        for name in ["job-stale-1", "job-held-2"] {
            try FileManager.default.createDirectory(atPath: base + "/" + name + "/dump", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: base + "/" + name + "/.lock", contents: nil))
        }
        let held = open(base + "/job-held-2/.lock", O_RDWR)
        defer { close(held) }
        #expect(flock(held, LOCK_EX) == 0)
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(20)) { worker.output.contains("started") }, explain([worker]))
        #expect(!FileManager.default.fileExists(atPath: base + "/job-stale-1"))
        #expect(FileManager.default.fileExists(atPath: base + "/job-held-2"))
    }

    @Test("An http job is downloaded and dumped; the same URL again, or the same bytes elsewhere, is already dumped")
    func downloadsAndEarlyDedup() throws {
        let rig = try QueueRig()
        let server = try HTTPTestServer()
        let url = server.url("/fixture/sample-firmware.zip")
        try rig.submit("first", url + "?token=secret")
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(120)), explain([worker]))
        let first = try result(rig, "first")
        #expect(first["status"] as? String == "dumped" && first["commit"] as? String == Self.sampleCommit, "\(first)")
        let digest = try Tool.check("sha256sum", [TestPaths.fixture("sample-firmware.zip")]).stdout.split(separator: " ")[0]
        #expect(first["digest"] as? String == String(digest))
        func requests() throws -> Int {
            let stats = try Tool.check("curl", ["-s", server.url("/stats")]).stdout
            let counts = try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Int]
            return counts?["/fixture/sample-firmware.zip"] ?? 0
        }
        let downloaded = try requests()
        #expect(downloaded >= 2, "a probe and the data")

        let environment = ["REDIS_URL": rig.redis.url(), "REDIS_KEY_PREFIX": rig.prefix]
        let byURL = try Tool.run(TestPaths.dumpyardBinary, ["lookup", url + "?token=secret"], environment: environment)
        #expect(byURL.status == 0 && byURL.stdout.contains("already dumped") && byURL.stdout.contains(Self.sampleBranch), "\(byURL.stdout)")
        #expect(!byURL.stdout.contains("secret"))
        let byDigest = try Tool.run(TestPaths.dumpyardBinary, ["lookup", String(digest), "--json"], environment: environment)
        #expect(byDigest.status == 0 && byDigest.stdout.contains("\"found\":true"), "\(byDigest.stdout)")
        let unknown = try Tool.run(TestPaths.dumpyardBinary, ["lookup", url + "?other=1"], environment: environment)
        #expect(unknown.status == 3 && unknown.stdout.contains("not dumped yet") && unknown.stdout.contains("not shown"), "\(unknown.stdout)")

        try rig.submit("same-url", url + "?token=secret")
        #expect(rig.waitQuiescent(.seconds(60)), explain([worker]))
        let again = try result(rig, "same-url")
        #expect(again["status"] as? String == "already_dumped" && again["dumped_by"] as? String == "first", "\(again)")
        #expect(try requests() == downloaded, "nothing downloaded for a URL already dumped")

        try rig.submit("same-bytes", url + "?mirror=2")
        #expect(rig.waitQuiescent(.seconds(60)), explain([worker]))
        let copy = try result(rig, "same-bytes")
        #expect(copy["status"] as? String == "already_dumped" && copy["dumped_by"] as? String == "first", "\(copy)")
        #expect(try requests() > downloaded, "another URL is downloaded, then found by its bytes")
        #expect(!worker.output.contains("secret"))

        // A forced job of the same build changes nothing and does not become its dumper.
        try rig.submit("forced", url + "?token=secret", force: true)
        #expect(rig.waitQuiescent(.seconds(60)), explain([worker]))
        #expect(try result(rig, "forced")["status"] as? String == "already_dumped")
        let after = try Tool.run(TestPaths.dumpyardBinary, ["lookup", url + "?token=secret", "--json"], environment: environment)
        #expect(after.stdout.contains("\"dumped_by\":\"first\""), "\(after.stdout)")
        try rig.checkInvariants()
    }

    @Test("A private job's failure shows neither its host nor its path")
    func privateFailuresAreRedacted() throws {
        let rig = try QueueRig()
        let server = try HTTPTestServer()
        let payload = Array(try JSONEncoder().encode(JobRequest(url: server.url("/status/404?k=1"), isPrivate: true)))
        _ = try rig.queue.submit(id: "secret", payload: payload)
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(60)) { try rig.state("secret") == .failed }, explain([worker]))
        let error = try rig.job("secret")["last_error"] ?? ""
        #expect(error.contains("HTTP 404"), "\(error)")
        #expect(!error.contains("127.0.0.1") && !error.contains("/status"), "\(error)")
        #expect(!worker.output.contains("/status/404"), explain([worker]))
    }
}
