internal import Foundation

/// The file a download writes: created fresh, written at offsets (parts arrive out of order),
/// checked against the disk's free space.
final class DownloadTarget: @unchecked Sendable {
    let path: String
    let descriptor: Int32

    init(directory: String, fileName: String) throws(DownloadError) {
        path = directory + "/" + fileName
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DownloadError(host: "", message: "cannot create \(path): \(String(cString: strerror(errno)))", retryable: true)
        }
    }

    deinit { close(descriptor) }

    /// Writes `bytes` at `offset`, all of them.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) -> Bool {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            done += written
        }
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            return count
        }
    }

    func truncate(to size: UInt64) { _ = ftruncate(descriptor, off_t(size)) }

    /// Bytes free for an unprivileged writer on the file's disk.
    static func freeSpace(in directory: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// A safe file name: the last path component, no leading dot, printable, at most 200 bytes.
    static func safeName(_ candidate: String?) -> String {
        let base = (candidate ?? "").split(separator: "/").last.map(String.init) ?? ""
        var name = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\" }.map(Character.init))
        while name.hasPrefix(".") { name.removeFirst() }
        while name.utf8.count > 200 { name.removeLast() }
        return name.isEmpty ? "firmware.bin" : name
    }
}
