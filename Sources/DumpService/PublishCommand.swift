internal import Foundation
internal import Publishing

/// `dumpyard publish <repository> <branch> [--force] [--json]`, and the publish step of
/// `dump --publish`: a local dump's branch onto GitLab.
enum PublishCommand {
    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json", "--force"])
        guard parsed.positionals.count == 2 else { throw UsageError("publish takes a dump repository and a branch") }
        var branch = parsed.positionals[1]
        if branch.hasPrefix("refs/heads/") { branch.removeFirst("refs/heads/".count) }
        let outcome = try publish(repository: parsed.positionals[0], branch: branch, force: parsed.flags.contains("--force"), environment: environment)
        CommandLineTool.printOut(parsed.flags.contains("--json") ? try CommandLineTool.encodeJSON(outcome) : text(outcome))
        return 0
    }

    static func publish(repository: String, branch: String, force: Bool, environment: [String: String]) throws -> PublishOutcome {
        let settings = try GitLabSettings.from(environment)
        do {
            let configuration = DumpConfiguration.fromEnvironment(environment)
            return try GitLabPublication(settings: settings, configuration: configuration).publish(repository: repository, branch: branch, force: force)
        } catch let error as UsageError {
            throw error
        } catch {
            throw CommandLineTool.CommandFailure("publish failed: \(error)")
        }
    }

    static func text(_ outcome: PublishOutcome) -> String {
        let what = switch outcome.status {
        case "already_published": "already published"
        case "replaced": "published (replacing another build)"
        default: "published"
        }
        var sent = outcome.objects == 0 ? "nothing to send" : "\(outcome.objects) objects, \(outcome.bytes) bytes sent"
        if outcome.lfsObjects > 0 { sent += "; \(outcome.lfsObjects) LFS objects, \(outcome.lfsBytes) bytes uploaded" }
        return """
            \(what): \(outcome.project) branch \(outcome.branch) (\(sent))
              commit     \(outcome.commit)
              web        \(outcome.webURL ?? "-")
              clone      git clone --branch \(outcome.branch) \(outcome.cloneURL)
            """
    }
}
