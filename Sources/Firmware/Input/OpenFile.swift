#if canImport(Glibc)
internal import Glibc
#endif

/// An open file read with `pread` from any thread; closed when the last reference goes.
public final class OpenFile: Sendable {
    /// The descriptor (read-only). Valid while this object lives.
    public let fd: Int32
    /// The path it was opened from.
    public let path: String
    /// Its size when opened.
    public let size: UInt64
    /// The bytes it takes on disk when opened (less than `size` when it has holes).
    public let allocated: UInt64

    /// Opens `path` read-only (following symlinks: the caller decides which paths are trusted).
    public init(path: String, origin: String? = nil) throws(FirmwareError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FirmwareError(file: origin ?? path, cause: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let cause = String(cString: strerror(errno))
            close(fd)
            throw FirmwareError(file: origin ?? path, cause: cause)
        }
        self.fd = fd
        self.path = path
        self.size = UInt64(st.st_size)
        self.allocated = UInt64(max(st.st_blocks, 0)) &* 512
    }

    deinit { close(fd) }

    /// The whole file as a slice.
    public func slice(origin: String) -> FileSlice {
        FileSlice(file: self, offset: 0, length: size, origin: origin)
    }
}

/// A byte range of an open file: a whole file, or a member stored uncompressed inside a zip, read
/// in place. Offsets given to its methods are relative to the slice.
public struct FileSlice: Sendable {
    public let file: OpenFile
    /// Where the slice starts in the file.
    public let offset: UInt64
    /// The slice's length.
    public let length: UInt64
    /// The slice's name for messages (`firmware.zip:payload.bin`); offsets in its errors are slice offsets.
    public let origin: String

    public init(file: OpenFile, offset: UInt64, length: UInt64, origin: String) {
        self.file = file
        self.offset = offset
        self.length = length
        self.origin = origin
    }

    /// Fills `buffer` from `position` of the slice. Reading past the slice's end fails with
    /// `truncated` as the cause, naming the origin and the offset.
    public func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer, truncated: String = "unexpected end of file") throws(FirmwareError) {
        let (end, overflow) = position.addingReportingOverflow(UInt64(buffer.count))
        guard !overflow, end <= length else {
            throw FirmwareError(file: origin, offset: min(position, length), cause: truncated)
        }
        var done = 0
        while done < buffer.count {
            let n = pread(file.fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + position) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FirmwareError(file: origin, offset: position + UInt64(done), cause: n == 0 ? truncated : String(cString: strerror(errno)))
            }
            done += n
        }
    }

    /// `count` bytes from `position` of the slice.
    public func bytes(at position: UInt64, count: Int, truncated: String = "unexpected end of file") throws(FirmwareError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: FirmwareError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(FirmwareError) { try read(at: position, into: buffer, truncated: truncated) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// The sub-range `[position, position + count)` of this slice, named `origin`.
    public func subslice(at position: UInt64, length count: UInt64, origin: String? = nil) throws(FirmwareError) -> FileSlice {
        let (end, overflow) = position.addingReportingOverflow(count)
        guard !overflow, end <= length else {
            throw FirmwareError(file: self.origin, offset: min(position, length), cause: "a range of \(count) bytes runs past the end (\(length) bytes)")
        }
        return FileSlice(file: file, offset: offset + position, length: count, origin: origin ?? self.origin)
    }
}
