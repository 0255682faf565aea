internal import Foundation
internal import DumpCore
internal import Git
internal import HTTP
internal import Publishing

/// The `dumpyard` command line: parses arguments, runs a command, prints its outcome.
public enum CommandLineTool {
    /// Initialises the C libraries' global state; call once at start-up, before `run`.
    public static func start() {
        GitLibrary.initialize()
        HTTPLibrary.initialize()
    }

    /// Runs the command line `arguments` (program name excluded); returns the exit status.
    public static func run(_ arguments: [String], environment: [String: String]? = nil) -> Int32 {
        let configuration = DumpConfiguration.fromEnvironment(environment)
        guard let command = arguments.first else {
            printError(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "dump": return try dump(rest, configuration: configuration, environment: environment ?? ProcessInfo.processInfo.environment)
            case "publish": return try PublishCommand.run(rest, environment: environment ?? ProcessInfo.processInfo.environment)
            case "bundle": return try bundle(rest)
            case "lookup" where BrowseCommands.isRepositoryQuery(rest):
                return try BrowseCommands.lookup(rest, environment: environment ?? ProcessInfo.processInfo.environment)
            case "browse": return try BrowseCommands.browse(rest, environment: environment ?? ProcessInfo.processInfo.environment)
            case "submit", "status", "cancel", "retry", "stats", "lookup": return try QueueCommands.run(command, rest, configuration: configuration)
            case "worker":
                return try WorkerCommand.run(rest, configuration: configuration, environment: environment ?? ProcessInfo.processInfo.environment)
            case "bot":
                return try BotCommandRunner.run(rest, configuration: configuration, environment: environment ?? ProcessInfo.processInfo.environment)
            case "run-job":
                return try RunJobCommand.run(rest, configuration: configuration, environment: environment ?? ProcessInfo.processInfo.environment)
            case "help", "-h", "--help":
                printOut(usage)
                return 0
            case "version", "--version":
                printOut("dumpyard \(version)")
                return 0
            default: throw UsageError("unknown command \"\(command)\"")
            }
        } catch let error as UsageError {
            printError("dumpyard: \(error)\n\(usage)")
            return 2
        } catch {
            printError("dumpyard: \(error)")
            return 1
        }
    }

    static let version = "0.1.0"

    static let usage = """
        usage: dumpyard <command> [options]

        commands:
          dump <firmware> [--out DIR] [--json] [--force] [--publish]
              Dump a firmware package (zip, tar, 7z) or a partition image into the bare git
              repository DIR/<brand>/<codename>.git (DIR defaults to ./dumps), one branch per build;
              --publish then publishes it as `publish` does.
          publish <repository> <branch> [--force] [--json]
              Push a dump's branch to GitLab (GITLAB_URL, DUMPER_TOKEN): group
              <GITLAB_ROOT_GROUP>/<brand>, project <codename>, made when missing; the branch
              becomes the default. A branch already there at another commit needs --force.
          bundle <repository> <branch> -o FILE [--json]
              Export one branch of a dump repository as a git bundle (git clone FILE works).
          submit <url|file> [--alt] [--force] [--private] [--priority 0-9] [--id ID] [--json]
              Queue a dump job in Redis (REDIS_URL); a worker runs it.
          worker [ID] [--concurrency N] [--out DIR] [--grace SECONDS]
              Run queued jobs until SIGTERM/SIGINT, N at once, dumping into DIR (default
              $DUMPS_DIR or $DUMPYARD_HOME/dumps); jobs are given back after the grace time.
          bot
              Run the Telegram bot (TELEGRAM_BOT_TOKEN, ALLOWED_CHATS; see docs/users-guide.md)
              until SIGTERM/SIGINT: /dump, /status, /cancel, reviews, live status messages.
          status [job] [--json]     the queue at a glance, or one job
          cancel <job>              cancel a job (a running one at its next heartbeat)
          retry <job>               queue a failed job again
          stats [--json]            the queue's counters
          lookup <url|sha256> [--json]
                                    already dumped? (exit 0 yes, 3 not yet), from the job index
          lookup <brand>/<codename> [branch] | <build fingerprint> [--json]
                                    already on GitLab? the project's builds, that branch, or the
                                    build a fingerprint names
          browse [brand[/codename[@branch[:path]]]] [--json]
                                    list brands, devices, builds, a tree; print a file
          help, version

        environment:
          DUMPYARD_HOME     staging store and manifests (default $XDG_DATA_HOME/dumpyard
                            or ~/.local/share/dumpyard)
          WORK_DIR_BASE     where per-job work directories are made (default $DUMPYARD_HOME/work)
          DUMPYARD_THREADS  threads that hash and compress (default: number of cores)
          REDIS_URL         the job queue (default redis://127.0.0.1:6379/0)
          REDIS_KEY_PREFIX  prefix of the queue's keys (default dumpyard:{q}:)
          DUMPS_DIR         where a worker's dump repositories go (default $DUMPYARD_HOME/dumps)
          WORKER_CONCURRENCY, WORKER_GRACE_SECONDS
                            as --concurrency and --grace (defaults 1 and 60)
          GITLAB_URL, DUMPER_TOKEN (or GITLAB_TOKEN), GITLAB_ROOT_GROUP (dumps), GITLAB_VISIBILITY (public)
                            where publish, dump --publish, workers, lookup and browse reach GitLab
          LFS_THRESHOLD     files of this many bytes or more go through Git LFS (52428800; 0: off)
          ALLOW_PRIVATE_URLS  1, or CIDR ranges: hosts in private ranges a worker may download from
          TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, ALLOWED_CHATS, REQUEST_CHAT_ID, REVIEW_CHAT_ID,
          SUDO_USERS, TELEGRAM_CHANNEL, SOURCE_WHITELIST, SOURCE_WHITELIST_FILE
                            the bot's token, API server, chats, admins, channel and the hosts
                            whose firmware links the channel post may show
          DOWNLOAD_CONNECTIONS, DOWNLOAD_STALL_SECONDS, DOWNLOAD_TIMEOUT_SECONDS, DOWNLOAD_MAX_BYTES
                            parallel ranged connections (4), seconds without a byte before a
                            connection is cut (60), seconds a download may take (21600), bytes
                            a download may have (64 GiB); see docs/operators-guide.md
        """

    private static func dump(_ arguments: [String], configuration: DumpConfiguration, environment: [String: String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: ["--out", "-o"], flags: ["--json", "--force", "--publish", "--help", "-h"])
        if parsed.flags.contains("--help") || parsed.flags.contains("-h") {
            printOut(usage)
            return 0
        }
        guard parsed.positionals.count == 1, let firmware = parsed.positionals.first else {
            throw UsageError("dump takes exactly one firmware file")
        }
        let json = parsed.flags.contains("--json")
        let out = parsed.options["--out"] ?? parsed.options["-o"] ?? "dumps"
        guard !out.isEmpty else { throw UsageError("--out needs a directory (it is empty)") }
        let publishing = parsed.flags.contains("--publish")
        // A publish that cannot start (no GITLAB_URL or token) is refused before any dumping.
        if publishing { _ = try GitLabSettings.from(environment) }
        let printer = ProgressPrinter()
        let pipeline = DumpPipeline(configuration: configuration)
        do {
            let force = parsed.flags.contains("--force")
            let summary = try pipeline.run(firmware: firmware, outputDirectory: out, force: force) {
                printer.report($0)
            }
            printer.finish()
            guard publishing else {
                printOut(json ? try encodeJSON(summary) : text(summary))
                return 0
            }
            if !json { printOut(text(summary)) }
            let outcome: PublishOutcome
            do {
                outcome = try PublishCommand.publish(repository: summary.repository, branch: summary.branch, force: force, environment: environment)
            } catch {
                // The dump is kept: say so, and how to publish it again.
                if json { printOut("{\"dump\":\(try encodeJSON(summary)),\"publish\":{\"error\":\(try encodeJSON(String(describing: error)))}}") }
                printError("dumpyard: the dump is kept; publish it again with: dumpyard publish \(summary.repository) \(summary.branch)")
                throw error
            }
            printOut(json ? "{\"dump\":\(try encodeJSON(summary)),\"publish\":\(try encodeJSON(outcome))}" : PublishCommand.text(outcome))
            return 0
        } catch {
            printer.finish()
            throw error
        }
    }

    private static func bundle(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: ["-o", "--output"], flags: ["--json"])
        guard parsed.positionals.count == 2 else { throw UsageError("bundle takes a repository and a branch") }
        guard let file = parsed.options["-o"] ?? parsed.options["--output"] else { throw UsageError("bundle needs -o FILE") }
        let started = ContinuousClock.now
        let path = parsed.positionals[0]
        var branch = parsed.positionals[1]
        if branch.hasPrefix("refs/heads/") { branch.removeFirst("refs/heads/".count) }
        guard GitRepository.isValidReferenceName("refs/heads/" + branch) else {
            throw CommandFailure("bundle failed: \"\(DisplayName.of(Array(branch.utf8)))\" is not a valid branch name")
        }
        let repository: DumpRepository
        do { repository = try DumpRepository(existingAt: path) } catch {
            throw CommandFailure("bundle failed: \(path) is not a dump repository")
        }
        guard try repository.branchTarget(branch) != nil else {
            let known = (try? repository.branches()) ?? []
            throw CommandFailure("bundle failed: \(path) has no branch \(branch)" + (known.isEmpty ? "" : " (branches: \(known.prefix(10).joined(separator: ", "))\(known.count > 10 ? ", …" : ""))"))
        }
        let (commit, objects): (ObjectID, Int)
        do { (commit, objects) = try repository.writeBundle(branch: branch, to: file) } catch {
            throw CommandFailure("bundle failed: \(error)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let summary = BundleSummary(
            bundle: file, branch: branch, commit: commit.hex, objects: objects, bytes: size,
            seconds: DumpPipeline.seconds(ContinuousClock.now - started))
        if parsed.flags.contains("--json") {
            printOut(try encodeJSON(summary))
        } else {
            printOut("wrote \(file): branch \(summary.branch) at \(summary.commit), \(objects) objects, \(formatBytes(UInt64(size))), \(String(format: "%.2f", summary.seconds)) s")
        }
        return 0
    }

    /// A command that failed with a message of its own.
    struct CommandFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct BundleSummary: Codable {
        var bundle: String
        var branch: String
        var commit: String
        var objects: Int
        var bytes: Int
        var seconds: Double
    }

    static func text(_ s: DumpSummary) -> String {
        let headline: String
        switch s.status {
        case .dumped: headline = "dumped \(s.firmware)"
        case .replaced: headline = "dumped \(s.firmware) (branch replaced)"
        case .alreadyDumped: headline = "already dumped: \(s.firmware) is branch \(s.branch) of \(s.repository)"
        }
        var rows: [(String, String)] = [
            ("brand", s.brand), ("codename", s.codename), ("branch", s.branch), ("commit", s.commit),
            ("repository", s.repository), ("partitions", s.partitions.joined(separator: ", ")),
            ("files", "\(s.files) (\(formatBytes(s.bytes)))" + (s.skippedSpecialFiles > 0 ? ", \(s.skippedSpecialFiles) device nodes/fifos/sockets left out" : "")),
            ("store", "\(s.newObjects) new, \(s.reusedObjects) already stored"),
            ("time", String(format: "%.2f s", s.seconds)),
        ]
        rows += s.notDumped.map { ("not dumped", $0) }
        return ([headline] + rows.map { "  " + $0.0.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.1 }).joined(separator: "\n")
    }

    static func formatBytes(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func encodeJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func printOut(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    static func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
