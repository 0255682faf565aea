#if canImport(Glibc)
internal import Glibc
#endif
internal import Crypto

/// The SHA-256 of a written image, read back from its file.
enum ImageHash {
    /// SHA-256 of the first `size` bytes of `fd`, read in 4 MiB pieces.
    static func sha256(fd: Int32, size: UInt64, path: String) throws(FirmwareError) -> [UInt8] {
        let digest = StreamingDigest(.sha256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var offset: UInt64 = 0
        while offset < size {
            let want = Int(min(UInt64(buffer.count), size - offset))
            let n = pread(fd, buffer.baseAddress!, want, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FirmwareError(file: path, offset: offset, cause: n == 0 ? "image ends early" : String(cString: strerror(errno)))
            }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += UInt64(n)
        }
        return digest.finalize()
    }
}
