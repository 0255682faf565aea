#if canImport(Glibc)
internal import Glibc
#endif

/// Free space on the file system holding a directory.
enum DiskSpace {
    /// Fails unless `directory` has room for `bytes` more bytes (for unprivileged users).
    static func require(_ bytes: UInt64, in directory: String, for what: String) throws(FirmwareError) {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else {
            throw FirmwareError(file: directory, cause: "cannot check free space: \(String(cString: strerror(errno)))")
        }
        let available = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        let free = available.overflow ? UInt64.max : available.partialValue
        guard bytes <= free else {
            throw FirmwareError(
                file: directory,
                cause: "not enough free space for \(what): needs \(megabytes(bytes)) MB, \(megabytes(free)) MB available (point WORK_DIR_BASE at a larger disk)")
        }
    }

    private static func megabytes(_ bytes: UInt64) -> UInt64 { (bytes + 999_999) / 1_000_000 }
}
