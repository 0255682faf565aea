internal import Dispatch
internal import Foundation
internal import Synchronization

/// Per-job work directories (`WORK_DIR_BASE/dump-<pid>-<random>`): swept when their process is
/// gone, removed when the process is interrupted.
enum WorkDirectories {
    private static let current = Mutex<String?>(nil)
    private static let handlers = Mutex<[any DispatchSourceSignal]>([])
    /// Whether a signal prints "dumpyard: interrupted" (not in a worker's job process: the worker
    /// stopped it on purpose and says why in its own log).
    static let announcesInterrupt = Atomic(true)

    /// Removes work directories whose owning process no longer runs (killed with -9, power loss).
    static func sweepAbandoned(in base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("dump-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[1]), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { try? FileManager.default.removeItem(atPath: base + "/" + name) }
        }
    }

    /// Makes SIGINT and SIGTERM remove `directory` before the process exits (nil: no directory).
    static func removeOnSignal(_ directory: String?) {
        current.withLock { $0 = directory }
        handlers.withLock { handlers in
            guard handlers.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    if let directory = current.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: directory) }
                    if announcesInterrupt.load(ordering: .relaxed) {
                        FileHandle.standardError.write(Data("\ndumpyard: interrupted\n".utf8))
                    }
                    // _exit, not exit: the other threads are still dumping, and exit's teardown
                    // (atexit handlers, static destructors) under them crashes now and then.
                    _exit(128 + sig)
                }
                source.resume()
                handlers.append(source)
            }
        }
    }
}

