internal import Foundation
internal import Staging

/// One job's work directory, `WORK_DIR_BASE/job-<id>-<random>`, held with an `flock` on its
/// `.lock` file for as long as the worker runs the job. The lock dies with the worker, however it
/// dies, so a directory whose lock can be taken belongs to nobody and is swept — no process ids,
/// which mean nothing across machines or PID namespaces.
final class JobWorkDirectory {
    let path: String
    private let lock: Int32

    init(base: String, job: String) throws {
        try Directories.create(base)
        let safe = String(job.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(64))
        path = base + "/job-\(safe)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try Directories.create(path, mode: 0o700)
        lock = open(path + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            let cause = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            throw WorkerError("cannot lock the work directory \(path): \(cause)")
        }
    }

    /// Removes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
        close(lock)
    }

    /// Removes the job directories under `base` that no running worker holds; returns how many.
    static func sweep(_ base: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix("job-") {
            let path = base + "/" + name
            let fd = open(path + "/.lock", O_RDWR | O_CLOEXEC)
            if fd < 0 {
                // A directory made a moment ago may not have its lock yet.
                let made = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
                guard Date().timeIntervalSince(made) > 60 else { continue }
            } else {
                defer { close(fd) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }
}
