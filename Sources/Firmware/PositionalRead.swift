#if canImport(Glibc)
internal import Glibc
#endif

/// Exact reads at an offset (`pread`), for the formats read in place (ext4 images, zips).
enum PositionalRead {
    /// Fills `buffer` from `offset` of `fd`; a file that ends first fails with `truncated` as the
    /// cause, naming `file` and the offset.
    static func exactly(fd: Int32, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, file: String, truncated: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FirmwareError(file: file, offset: offset + UInt64(done), cause: n == 0 ? truncated : String(cString: strerror(errno)))
            }
            done += n
        }
    }

    /// `count` bytes from `offset` of `fd`.
    static func exactly(fd: Int32, at offset: UInt64, count: Int, file: String, truncated: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try exactly(fd: fd, at: offset, into: $0, file: file, truncated: truncated) }
        return bytes
    }
}
