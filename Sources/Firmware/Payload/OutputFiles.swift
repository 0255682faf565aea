#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore
internal import Synchronization

/// The image files of one extraction: created empty and pre-sized, closed at the end, and all
/// removed if extraction fails.
final class OutputFiles: Sendable {
    let paths: [String]
    let fds: [Int32]
    private let closed = Atomic<Bool>(false)

    /// Creates `<directory>/<name>.img` for every partition (never following a symlink) and sizes it.
    init(directory: String, partitions: [PayloadPlan.Partition]) throws(FirmwareError) {
        var paths: [String] = []
        var fds: [Int32] = []
        for partition in partitions {
            let path = directory + "/" + partition.update.name + ".img"
            let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let cause = String(cString: strerror(errno))
                Self.remove(paths: paths, fds: fds)
                throw FirmwareError(file: path, cause: "cannot create the image: \(cause)")
            }
            paths.append(path)
            fds.append(fd)
            guard ftruncate(fd, off_t(partition.size)) == 0 else {
                let cause = String(cString: strerror(errno))
                Self.remove(paths: paths, fds: fds)
                throw FirmwareError(file: path, cause: "cannot size the image to \(partition.size) bytes: \(cause)")
            }
        }
        self.paths = paths
        self.fds = fds
    }

    /// Closes every file; a failing close (a delayed write error) fails extraction.
    func closeAll() throws(FirmwareError) {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        var failure: FirmwareError?
        for (fd, path) in zip(fds, paths) where close(fd) != 0 && failure == nil {
            failure = FirmwareError(file: path, cause: "cannot close the image: \(String(cString: strerror(errno)))")
        }
        if let failure {
            for path in paths { unlink(path) }
            throw failure
        }
    }

    /// Closes and deletes every file.
    func removeAll() {
        if closed.exchange(true, ordering: .relaxed) {
            for path in paths { unlink(path) }
        } else {
            Self.remove(paths: paths, fds: fds)
        }
    }

    private static func remove(paths: [String], fds: [Int32]) {
        for fd in fds { close(fd) }
        for path in paths { unlink(path) }
    }
}
