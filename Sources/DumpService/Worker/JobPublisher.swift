internal import Foundation
internal import Staging
internal import Publishing
internal import DumpCore

/// Step 9: makes a job's commit visible at its destination — today the branch of the dump
/// repository under `DUMPS_DIR`, with the GitLab push to come. Every push is idempotent: a branch
/// that already holds this build's commit counts as published, so an attempt that repeats the
/// push of one that crashed changes nothing (reference/queue.md §3.9).
struct JobPublisher {
    /// With test hooks: each push is written to `<dir>/publish.log` as `push <job> <changed 0|1>`.
    var testLogDirectory: String?

    /// Publishes `result`; returns `dumped`, `replaced` or `already_dumped`.
    func publish(_ result: JobResult, job: String, force: Bool) throws -> String {
        let change: CommitOutcome.Change
        switch result.kind {
        case "git":
            guard let commit = ObjectID(hex: result.commit) else { throw WorkerError("the job gave no commit id (\(result.commit))") }
            let repository = try DumpRepository(existingAt: result.repository)
            change = try repository.setBranch(result.branch, to: commit, message: result.message, force: force)
        case "synthetic":
            change = try publishSynthetic(result)
        default:
            throw WorkerError("unknown result kind \(result.kind)")
        }
        if let testLogDirectory {
            SyntheticJob.append("push \(job) \(change == .unchanged ? 0 : 1)\n", to: testLogDirectory + "/publish.log")
        }
        switch change {
        case .created: return "dumped"
        case .replaced: return "replaced"
        case .unchanged: return "already_dumped"
        }
    }

    /// The test jobs' destination: a ref file per branch holding the commit, replaced atomically.
    private func publishSynthetic(_ result: JobResult) throws -> CommitOutcome.Change {
        let path = result.repository + "/" + result.branch
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), existing == result.commit { return .unchanged }
        try Directories.create(result.repository)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Data(result.commit.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw WorkerError("cannot write \(path): \(String(cString: strerror(errno)))") }
        return .created
    }
}
