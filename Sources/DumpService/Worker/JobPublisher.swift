internal import Foundation
internal import Staging
internal import Publishing
internal import DumpCore

/// Step 9: makes a job's commit visible at its destination: the branch of the dump repository
/// under `DUMPS_DIR`, then, when GITLAB_URL is set, the same branch on GitLab. Every push is idempotent: a branch
/// that already holds this build's commit counts as published, so an attempt that repeats the
/// push of one that crashed changes nothing (reference/queue.md §3.9).
struct JobPublisher {
    /// With test hooks: each push is written to `<dir>/publish.log` as `push <job> <changed 0|1>`.
    var testLogDirectory: String?
    /// Set (GITLAB_URL): the branch is also pushed to GitLab, idempotently.
    var gitLab: GitLabPublication?

    /// Publishes `result`; returns `dumped`, `replaced` or `already_dumped`, and where the dump
    /// now is (the GitLab project's page when published there, else the local repository).
    func publish(_ result: JobResult, job: String, force: Bool) throws -> (status: String, location: String) {
        let change: CommitOutcome.Change
        var location = result.repository
        switch result.kind {
        case "git":
            guard let commit = ObjectID(hex: result.commit) else { throw WorkerError("the job gave no commit id (\(result.commit))") }
            let repository = try DumpRepository(existingAt: result.repository)
            change = try repository.setBranch(result.branch, to: commit, message: result.message, force: force)
            if let gitLab {
                let outcome = try gitLab.publish(repository: result.repository, branch: result.branch, force: force)
                location = outcome.webURL ?? outcome.cloneURL
            }
        case "synthetic":
            change = try publishSynthetic(result)
        default:
            throw WorkerError("unknown result kind \(result.kind)")
        }
        if let testLogDirectory {
            SyntheticJob.append("push \(job) \(change == .unchanged ? 0 : 1)\n", to: testLogDirectory + "/publish.log")
        }
        switch change {
        case .created: return ("dumped", location)
        case .replaced: return ("replaced", location)
        case .unchanged: return ("already_dumped", location)
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
