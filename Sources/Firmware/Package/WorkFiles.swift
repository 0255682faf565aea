#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore

/// Files the unpacker writes in the work directory: raw images, and members that must be read
/// at random (a nested zip, a payload.bin) but only came as a stream. Writing checks the free
/// space as it goes, so a member that expands beyond what it claimed cannot fill the disk.
struct WorkFiles {
    let directory: String
    private var count = 0
    /// Bytes written so far by every writer of this unpacking, against a limit.
    private let budget: Budget

    /// Space kept free on the work directory's file system.
    static let reservedSpace: UInt64 = 512 << 20
    /// How often (in bytes written) the free space is checked again.
    static let checkInterval: UInt64 = 64 << 20

    /// The bytes all work files of one unpacking may add up to: real packages expand a few
    /// times (a 5 GB OTA into 10–15 GB of images; holes and zero fills cost nothing), so 8 × the
    /// firmware plus 1 GiB stops a decompression bomb long before the disk is full.
    static func limit(forFirmwareOf size: UInt64) -> UInt64 {
        let (scaled, tooBig) = size.multipliedReportingOverflow(by: 8)
        let (total, overflow) = scaled.addingReportingOverflow(1 << 30)
        return tooBig || overflow ? .max : total
    }

    final class Budget: @unchecked Sendable {
        // Only the unpacking thread and, for a payload, its workers' caller touch it (no overlap).
        var used: UInt64 = 0
        let limit: UInt64
        init(limit: UInt64) { self.limit = limit }
    }

    init(directory: String, limit: UInt64 = .max) {
        self.directory = directory
        self.budget = Budget(limit: limit)
    }

    /// A new, unused path in the work directory for a file about `label`.
    mutating func newPath(_ label: String) -> String {
        count += 1
        let safe = String(label.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil) ? Character($0) : "_" }.prefix(40))
        return directory + "/\(count)-\(safe)"
    }

    /// Creates the empty file `path` (read-write, never following or replacing anything).
    static func create(_ path: String, origin: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FirmwareError(file: origin, cause: "cannot create a work file: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Counts `bytes` about to be written (or just written) for `origin` against the budget.
    func charge(_ bytes: UInt64, origin: String) throws {
        let (used, overflow) = budget.used.addingReportingOverflow(bytes)
        guard !overflow, used <= budget.limit else {
            throw FirmwareError(
                file: origin,
                cause: "expands beyond \(Self.gib(budget.limit)) GiB of images (8 × the firmware's size + 1 GiB): a decompression bomb or a corrupt member")
        }
        budget.used = used
    }

    /// Fails when the work directory's file system has less than `size` bytes (plus the reserve) free.
    func checkFreeSpace(for size: UInt64, origin: String) throws {
        var fs = statvfs()
        guard statvfs(directory, &fs) == 0 else { return }
        let free = UInt64(fs.f_bavail) &* UInt64(fs.f_frsize)
        let (needed, overflow) = size.addingReportingOverflow(Self.reservedSpace)
        guard !overflow, needed <= free else {
            throw FirmwareError(file: origin, cause: "needs \(Self.gib(size)) GiB in the work directory but only \(Self.gib(free)) GiB are free (WORK_DIR_BASE)")
        }
    }

    /// Checked while writing: stops when the disk is down to the reserve.
    func checkStillFree(afterWriting written: UInt64, origin: String) throws {
        var fs = statvfs()
        guard statvfs(directory, &fs) == 0 else { return }
        let free = UInt64(fs.f_bavail) &* UInt64(fs.f_frsize)
        guard free >= Self.reservedSpace else {
            throw FirmwareError(
                file: origin,
                cause: "the work directory is down to \(Self.gib(free)) GiB free after \(Self.gib(written)) GiB written for this member, more than it declared (WORK_DIR_BASE)")
        }
    }

    static func gib(_ bytes: UInt64) -> String { String(Double(bytes / (1 << 20) * 10 / 1024) / 10) }

    /// Copies `source` to the new file `path`; returns the bytes written.
    func write(_ source: inout some ByteSource, to path: String, origin: String) throws -> UInt64 {
        let fd = try Self.create(path, origin: origin)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: UInt64 = 0
        var nextCheck = Self.checkInterval
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 {
                try charge(total % Self.checkInterval, origin: origin)
                return total
            }
            try buffer.withUnsafeBytes { try Self.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<n]), at: total, origin: origin) }
            total += UInt64(n)
            if total >= nextCheck {
                try charge(Self.checkInterval, origin: origin)
                try checkStillFree(afterWriting: total, origin: origin)
                nextCheck += Self.checkInterval
            }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, origin: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FirmwareError(file: origin, cause: "cannot write to the work directory: \(String(cString: strerror(n < 0 ? errno : ENOSPC)))")
            }
            done += n
        }
    }
}
