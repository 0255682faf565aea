internal import DumpCore
internal import Foundation

/// A stand-in job for the fault-injection tests (reference/queue.md §5.1), enabled by
/// `DUMPYARD_TEST_JOBS=1` only: `synthetic:ms=150&fail=none|fatal|retryable&child=1` walks through
/// steps 1–8 sleeping `ms` each, optionally leaves a `sleep` process in its process group (which a
/// cancel must stop), and writes `exec <id> <pid> <unix ms>` to `$DUMPYARD_TEST_LOG_DIR/exec.log` when it starts.
/// Its "publish" is a ref file under `$DUMPYARD_TEST_LOG_DIR/refs` (see `JobPublisher`).
struct SyntheticJob {
    static let scheme = "synthetic:"

    var stepMilliseconds = 100
    var failure = "none"
    var leavesChild = false
    var jobID: String
    var logDirectory: String?

    init(url: String, environment: [String: String]) {
        for pair in url.dropFirst(Self.scheme.count).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "ms": stepMilliseconds = min(max(Int(parts[1]) ?? 100, 0), 600_000)
            case "fail": failure = parts[1]
            case "child": leavesChild = parts[1] == "1"
            default: break
            }
        }
        jobID = environment["DUMPYARD_JOB_ID"] ?? "unknown"
        logDirectory = environment["DUMPYARD_TEST_LOG_DIR"]
    }

    func run(emit: (JobEvent) -> Void) -> JobEvent {
        if let logDirectory { Self.append("exec \(jobID) \(getpid()) \(Int64(Date().timeIntervalSince1970 * 1000))\n", to: logDirectory + "/exec.log") }
        for step in 1...8 {
            emit(.progress(step, 0, "synthetic step \(step)"))
            if step == 5 && leavesChild { Self.startSleeper() }
            if step == 5 && failure != "none" {
                return JobEvent(error: JobFailureReport(step: step, message: "synthetic \(failure) failure", retryable: failure == "retryable"))
            }
            if stepMilliseconds > 0 { usleep(UInt32(stepMilliseconds) * 1000) }
            emit(.progress(step, 1, "synthetic step \(step)"))
        }
        let commit = String(jobID.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 16)
        return JobEvent(result: JobResult(
            kind: "synthetic", repository: (logDirectory ?? "/nonexistent") + "/refs", branch: jobID, commit: commit,
            message: "synthetic \(jobID)", brand: "synthetic", codename: "test", files: 0))
    }

    /// Appends one line with a single `write` (O_APPEND keeps concurrent writers' lines whole).
    static func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// A `sleep` left running in this process group, as a real step's tool would be.
    private static func startSleeper() {
        var pid: pid_t = 0
        let arguments = ["/bin/sleep", "600"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        _ = posix_spawn(&pid, "/bin/sleep", nil, nil, &argv, environ)
    }
}
