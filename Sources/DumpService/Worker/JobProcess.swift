internal import Foundation
internal import Synchronization

/// A job's own process (`dumpyard run-job`) in a process group of its own, so stopping it stops
/// every tool it started. Its request goes in on standard input, which stays open for its life;
/// its `JobEvent` lines come back on standard output.
final class JobProcess: Sendable {
    /// How the process ended.
    enum Termination: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// Held while pipes are made and a process is started.
    private static let spawnLock = NSLock()

    let pid: pid_t
    private let input: Int32
    private let output: Int32
    /// True once the process is reaped: its id may then name another process, so no signal goes to it.
    private let reaped = Mutex(false)
    /// Signalled once the process has ended and its group was killed.
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments` and `environment`, and writes `request` and a newline
    /// to its standard input.
    init(executable: String, arguments: [String], environment: [String: String], request: [UInt8]) throws {
        // Pipes are made close-on-exec under the spawn lock, so a job started alongside never
        // holds this job's pipes open (its end of file is how a job learns the worker is gone).
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { throw WorkerError("cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&outPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            throw WorkerError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The worker blocks SIGTERM and SIGINT for its signal thread; the job must not inherit that.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        guard status == 0 else {
            close(inPipe[1]); close(outPipe[0])
            throw WorkerError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        input = inPipe[1]
        output = outPipe[0]
        let line = request + [0x0A]
        _ = line.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
        // When the job's process ends, whatever it left in its group goes too: a leftover that
        // holds the output pipe would otherwise keep `readEvents` waiting for ever.
        Thread.detachNewThread { [pid, exited] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            // Not reaped yet: the zombie keeps the group id taken while the group is killed.
            kill(-pid, SIGKILL)
            exited.signal()
        }
    }

    /// Reads the process's events until it closes its output; lines that are not events are skipped.
    func readEvents(_ handle: (JobEvent) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let decoder = JSONDecoder()
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += buffer[0..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[..<newline]
                pending.removeSubrange(...newline)
                if let event = try? decoder.decode(JobEvent.self, from: Data(line)) { handle(event) }
            }
            if pending.count > 1 << 20 { pending.removeAll() }  // a runaway line is dropped, not kept
        }
    }

    /// Asks the process group to stop (SIGTERM), and kills it (SIGKILL) after `grace`.
    func stop(grace: Duration) {
        signal(SIGTERM)
        Thread.detachNewThread { [self] in
            Thread.sleep(forTimeInterval: grace.seconds)
            signal(SIGKILL)
        }
    }

    /// Waits for the process to end (its group killed by then) and reaps it.
    func finish() -> Termination {
        exited.wait()
        var status: Int32 = 0
        reaped.withLock { reaped in
            reaped = true
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        close(input)
        close(output)
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? .exited((status >> 8) & 0xff) : .signalled(signalNumber)
    }

    private func signal(_ number: Int32) {
        reaped.withLock { reaped in if !reaped { kill(-pid, number) } }
    }
}

/// A worker problem that is not the job's fault.
struct WorkerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
