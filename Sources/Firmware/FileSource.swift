#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// A file read front to back as a `ByteSource`. Owns its descriptor.
public final class FileSource: ByteSource {
    private let fd: Int32
    /// The file's path.
    public let path: String

    /// Opens `path` for reading; a symlink is refused unless `followSymlinks` (files inside an
    /// extracted tree are never followed; the firmware the user names may be a link).
    public convenience init(path: String, followSymlinks: Bool = false) throws(FirmwareError) {
        try self.init(pathBytes: Array(path.utf8), followSymlinks: followSymlinks)
    }

    /// Opens a path given as raw bytes (file names need not be UTF-8).
    public init(pathBytes: [UInt8], followSymlinks: Bool = false) throws(FirmwareError) {
        let path = String(decoding: pathBytes, as: UTF8.self)
        let flags = O_RDONLY | O_CLOEXEC | (followSymlinks ? 0 : O_NOFOLLOW)
        fd = withCPath(pathBytes) { open($0, flags) }
        guard fd >= 0 else { throw FirmwareError(file: path, cause: String(cString: strerror(errno))) }
        self.path = path
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw FirmwareError(file: path, cause: String(cString: strerror(errno))) }
        }
    }
}
