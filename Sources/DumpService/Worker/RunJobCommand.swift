internal import DumpCore
internal import Foundation
internal import Synchronization

/// `dumpyard run-job --out DIR`: one job's steps 1–8 in a process of its own, started by a worker
/// (never by hand). The job's JSON comes as the first line of standard input, so a private URL
/// never shows in `ps`; progress, then the result or the error, go to standard output as
/// `JobEvent` lines. Standard input stays open: when it closes, the worker is gone and so is this
/// process.
enum RunJobCommand {
    static func run(_ arguments: [String], configuration: DumpConfiguration, environment: [String: String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: ["--out"], flags: [])
        guard let out = parsed.options["--out"], parsed.positionals.isEmpty else { throw UsageError("run-job needs --out DIR") }
        guard let line = readLine(strippingNewline: true),
            let request = try? JSONDecoder().decode(JobRequest.self, from: Data(line.utf8))
        else {
            emit(JobEvent(error: JobFailureReport(step: 1, message: "the job's request is not valid JSON", retryable: false)))
            return 1
        }
        exitWhenInputCloses()
        let outcome: JobEvent
        if request.url.hasPrefix(SyntheticJob.scheme) {
            guard environment["DUMPYARD_TEST_JOBS"] == "1" else {
                outcome = JobEvent(error: JobFailureReport(step: 1, message: "synthetic jobs run only in tests", retryable: false))
                emit(outcome)
                return 1
            }
            outcome = SyntheticJob(url: request.url, environment: environment).run(emit: emit)
        } else {
            outcome = dump(request, out: out, configuration: configuration)
        }
        emit(outcome)
        return outcome.error == nil ? 0 : 1
    }

    /// Steps 1–8 of a real dump: the commit is written, its branch is left to the worker.
    static func dump(_ request: JobRequest, out: String, configuration: DumpConfiguration) -> JobEvent {
        emit(.progress(DumpStep.validate.rawValue, 0, request.displayURL))
        let firmware: String
        switch localPath(request.url) {
        case .success(let path): firmware = path
        case .failure(let report): return JobEvent(error: report)
        }
        emit(.progress(DumpStep.download.rawValue, 1, "local file, nothing to download"))
        let throttle = Mutex(ContinuousClock.now - .seconds(1))
        do {
            let summary = try DumpPipeline(configuration: configuration).run(
                firmware: firmware, outputDirectory: out, force: request.force, moveBranch: false
            ) { progress in
                let now = ContinuousClock.now
                let due = throttle.withLock { last in
                    guard progress.isMilestone || now - last >= .milliseconds(250) else { return false }
                    last = now
                    return true
                }
                if due { emit(.progress(progress.step.rawValue, progress.fraction, progress.detail)) }
            }
            return JobEvent(result: JobResult(
                kind: "git", repository: summary.repository, branch: summary.branch, commit: summary.commit,
                message: summary.properties.description, brand: summary.brand, codename: summary.codename, files: summary.files))
        } catch {
            return JobEvent(error: JobFailureReport(step: error.step.rawValue, message: error.description, retryable: isRetryable(error.cause)))
        }
    }

    /// A `file://` URL or an absolute path; http(s) waits for the downloader.
    static func localPath(_ url: String) -> Result<String, JobFailureReport> {
        if url.hasPrefix("/") { return .success(url) }
        if url.hasPrefix("file://"), let parsed = URL(string: url), parsed.isFileURL, !parsed.path.isEmpty {
            return .success(parsed.path)
        }
        if url.hasPrefix("http://") || url.hasPrefix("https://") {
            return .failure(JobFailureReport(
                step: DumpStep.download.rawValue,
                message: "download failed: workers do not download http(s) URLs yet; submit a local file or a file:// URL",
                retryable: false))
        }
        return .failure(JobFailureReport(step: DumpStep.validate.rawValue, message: "validate failed: not a file:// URL or a local path", retryable: false))
    }

    /// Failures of the machine rather than of the firmware: another attempt (maybe elsewhere) may succeed.
    static func isRetryable(_ cause: String) -> Bool {
        ["No space left on device", "cannot create a work directory", "Too many open files", "Cannot allocate memory"].contains { cause.contains($0) }
    }

    private static let output = Mutex(())

    static func emit(_ event: JobEvent) {
        output.withLock { _ in FileHandle.standardOutput.write(Data((event.line + "\n").utf8)) }
    }

    /// The worker holds the other end of standard input: end of file means it died.
    private static func exitWhenInputCloses() {
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(0, &byte, 1)
                if count == 0 || (count < 0 && errno != EINTR) { _exit(137) }
            }
        }
    }
}
