internal import DumpCore
internal import Download
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
        WorkDirectories.announcesInterrupt.store(false, ordering: .relaxed)
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
            outcome = dump(request, out: out, configuration: configuration, environment: environment)
        }
        emit(outcome)
        return outcome.error == nil ? 0 : 1
    }

    /// Steps 1–8 of a real dump: the commit is written, its branch is left to the worker.
    static func dump(_ request: JobRequest, out: String, configuration: DumpConfiguration, environment: [String: String]) -> JobEvent {
        emit(.progress(DumpStep.validate.rawValue, 0, request.displayURL))
        let firmware: String
        var digest: String?
        if request.url.lowercased().hasPrefix("http://") || request.url.lowercased().hasPrefix("https://") {
            // Step 2 starts now, so a download that fails at once is reported as step 2.
            emit(.progress(DumpStep.download.rawValue, 0, "starting the download"))
            switch download(request, into: configuration.workDirectoryBase, environment: environment) {
            case .success(let result):
                firmware = request.isPrivate ? neutralName(result.path) : result.path
                digest = result.sha256
                // The worker looks the bytes up before the dump goes on.
                emit(JobEvent(step: DumpStep.download.rawValue, fraction: 1, detail: "downloaded \(result.size) bytes", digest: result.sha256))
            case .failure(let report): return JobEvent(error: report)
            }
        } else {
            switch localPath(request.url) {
            case .success(let path): firmware = path
            case .failure(let report): return JobEvent(error: report)
            }
            emit(.progress(DumpStep.download.rawValue, 1, "local file, nothing to download"))
        }
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
                if due || progress.device != nil {
                    var event = JobEvent.progress(progress.step.rawValue, progress.fraction, progress.detail)
                    event.device = progress.device
                    emit(event)
                }
            }
            return JobEvent(result: JobResult(
                kind: "git", repository: summary.repository, branch: summary.branch, commit: summary.commit,
                message: summary.properties.description, brand: summary.brand, codename: summary.codename, files: summary.files,
                digest: digest, fingerprint: summary.properties.fingerprint, release: summary.properties.release,
                platform: summary.properties.platform))
        } catch {
            return JobEvent(error: JobFailureReport(step: error.step.rawValue, message: error.description, retryable: isRetryable(error.cause)))
        }
    }

    /// Step 2: the firmware into the job's work directory, progress on the way.
    static func download(_ request: JobRequest, into directory: String, environment: [String: String]) -> Result<DownloadResult, JobFailureReport> {
        let step = DumpStep.download.rawValue
        guard (try? FileManager.default.createDirectory(atPath: directory + "/download", withIntermediateDirectories: true)) != nil else {
            return .failure(JobFailureReport(step: step, message: "download failed: cannot create \(directory)/download", retryable: true))
        }
        do throws(DownloadError) {
            let downloader = Downloader(options: try DownloadSettings.options(environment), resolvers: LinkResolvers.all)
            return .success(try downloader.download(request.url, into: directory + "/download") { progress in
                emit(.progress(step, progress.total.map { Double(progress.received) / Double(max($0, 1)) } ?? 0, describe(progress)))
            })
        } catch {
            // Messages name the host and the path, never the query or credentials. A private job's
            // keep only the HTTP status: hosts and paths (of redirects too) stay out entirely.
            let message = request.isPrivate ? error.withheldDescription : "\(error)"
            return .failure(JobFailureReport(step: step, message: "download failed: " + message, retryable: error.retryable))
        }
    }

    /// A private job's download renamed `firmware[.ext]`: the server's name for it (from
    /// Content-Disposition or a redirect) would otherwise show in progress details and errors.
    /// A bare partition image keeps its name (`system.img`, `vendor.img.xz`, `super.img`): it
    /// names the partition, and says nothing of the source.
    static func neutralName(_ path: String) -> String {
        var stem = (path as NSString).lastPathComponent
        for wrapper in ContentKind.Compression.allCases.map(\.suffix) where stem.hasSuffix(wrapper) { stem.removeLast(wrapper.count) }
        if let partition = PartitionName.parse(fileName: stem)?.name, PartitionName.isDumped(partition) || partition == "super" { return path }
        let fileExtension = (path as NSString).pathExtension.lowercased()
        let keep = !fileExtension.isEmpty && fileExtension.count <= 5 && fileExtension.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let target = (path as NSString).deletingLastPathComponent + "/firmware" + (keep ? "." + fileExtension : "")
        guard target != path else { return path }
        guard rename(path, target) == 0 else {
            emit(.progress(DumpStep.download.rawValue, 1, "could not rename the download (errno \(errno))"))
            return path
        }
        return target
    }

    /// "120 of 2048 MiB at 35.2 MiB/s, 55 s left, 4 connections"
    static func describe(_ progress: DownloadProgress) -> String {
        let mib = { (bytes: UInt64) in bytes >> 20 }
        var text = "\(mib(progress.received))" + (progress.total.map { " of \(mib($0))" } ?? "") + " MiB"
        text += String(format: " at %.1f MiB/s", progress.rate / 1_048_576)
        if let left = progress.secondsLeft { text += ", \(Int(left)) s left" }
        return text + (progress.connections > 1 ? ", \(progress.connections) connections" : "")
    }

    /// A `file://` URL or an absolute path.
    static func localPath(_ url: String) -> Result<String, JobFailureReport> {
        if url.hasPrefix("/") { return .success(url) }
        if url.hasPrefix("file://"), let parsed = URL(string: url), parsed.isFileURL, !parsed.path.isEmpty {
            return .success(parsed.path)
        }
        return .failure(JobFailureReport(
            step: DumpStep.validate.rawValue, message: "validate failed: not an http(s) or file:// URL, nor a local path", retryable: false))
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
