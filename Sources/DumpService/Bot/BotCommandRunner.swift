internal import Foundation
internal import JobQueue
internal import Redis
internal import Synchronization
internal import Telegram

/// `dumpyard bot`: the Telegram bot until SIGTERM or SIGINT. Three threads, each with its own
/// Redis connection: updates (commands and buttons), the status follower (queue events → status
/// edits) and the outbox sender (the only sender of queued Telegram calls). A confirmed
/// `/restart` starts the program again in place.
enum BotCommandRunner {
    static func run(_ arguments: [String], configuration: DumpConfiguration, environment: [String: String]) throws -> Int32 {
        guard arguments.isEmpty else { throw UsageError("bot takes no arguments: it is configured by the environment (see dumpyard help)") }
        let settings: BotSettings
        do throws(UsageError) { settings = try BotSettings(environment: environment) } catch {
            throw CommandLineTool.CommandFailure("bot cannot start: \(error)")
        }
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: configuration.redisURL) } catch {
            throw CommandLineTool.CommandFailure("REDIS_URL: \(error.description)")
        }
        let log = WorkerLog(process: "bot")
        WorkerCommand.blockStopSignals()
        let stop = Atomic(false)
        let stopped: @Sendable () -> Bool = { stop.load(ordering: .relaxed) }
        Thread.detachNewThread {
            var signals = sigset_t()
            sigemptyset(&signals)
            for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
            var received: Int32 = 0
            while sigwait(&signals, &received) == 0 {
                log("signal \(received): stopping")
                stop.store(true, ordering: .relaxed)
            }
        }
        let text = TelegramClient(baseURL: settings.apiBase, token: settings.token, deadline: settings.textDeadline)
        let documents = TelegramClient(baseURL: settings.apiBase, token: settings.token, deadline: settings.documentDeadline)
        guard let me = try identify(text, log: log, stopped: stopped) else { return 0 }
        log("started as @\(me.username ?? String(me.id)): chats \(settings.allowedChats.map(String.init).joined(separator: ", ")), queue \(endpoint) prefix \(configuration.redisKeyPrefix)")
        do throws(TelegramError) {
            try text.setCommands([
                ("dump", "Dump a firmware: /dump <url> [a|f|p|b]"), ("status", "The queue, or one job"), ("lookup", "Already dumped?"),
                ("help", "How to use this bot"),
            ])
        } catch {
            log("setMyCommands: \(error)")
        }

        func link(_ role: String) -> BotLink {
            BotLink(endpoint: endpoint, prefix: configuration.redisKeyPrefix, name: "dumpyard-bot:\(role)", log: log)
        }
        let updates = BotUpdates(client: text, link: link("updates"), settings: settings, log: log, username: me.username, environment: environment)
        let follower = StatusFollower(link: link("follower"), settings: settings, log: log, stopped: stopped)
        let sender = OutboxSender(link: link("sender"), text: text, documents: documents, settings: settings, log: log, stopped: stopped)
        let group = DispatchGroup()
        let loops: [@Sendable () -> Void] = [
            {
                follower.refreshAll()
                follower.run()
            },
            { sender.run() },
        ]
        for loop in loops {
            group.enter()
            Thread.detachNewThread {
                loop()
                group.leave()
            }
        }
        updates.announceRestart()
        updates.run(stopped: stopped)
        stop.store(true, ordering: .relaxed)
        group.wait()
        if updates.restartRequested.load(ordering: .relaxed) {
            log("restarting")
            restart()
        }
        log("stopped")
        return 0
    }

    /// The bot's own user; waits for Telegram while it cannot be reached, stops on a refused token.
    private static func identify(_ client: TelegramClient, log: WorkerLog, stopped: () -> Bool) throws -> TelegramUpdate.User? {
        var failures = 0
        while !stopped() {
            do throws(TelegramError) {
                return try client.me()
            } catch {
                if error.code == 401 || error.code == 404 {
                    throw CommandLineTool.CommandFailure("bot cannot start: Telegram refused the token (\(error.code) \(error.message)); check TELEGRAM_BOT_TOKEN")
                }
                if failures == 0 { log("Telegram cannot be reached yet (\(error)); waiting for it") }
                failures += 1
                Thread.sleep(forTimeInterval: min(Double(failures), 30))
            }
        }
        return nil
    }

    /// Replaces this process with a fresh start of the same program and arguments.
    private static func restart() -> Never {
        let path = WorkerCommand.executablePath()
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, nil)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv(path, arguments)
        FileHandle.standardError.write(Data("bot: restart failed (errno \(errno)); exiting so the service manager starts it\n".utf8))
        exit(1)
    }
}
