#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// A partition image opened for reading at any offset, from any thread: a whole file, or pieces
/// of a bigger file (a logical partition inside super.img, an image stored in a zip) laid end to
/// end, zeros where an extent is a hole.
public final class ImageFile: Sendable {
    private let file: OpenFile
    private let extents: [ImageExtent]
    /// Where each extent starts in the image (same indices as `extents`).
    private let starts: [UInt64]
    /// The image's size: the sum of its extents.
    public let size: UInt64
    /// The image's name for messages (`firmware.zip:system.img`).
    public let origin: String
    /// At most how many of its bytes are really stored: holes of the file it lives in (a sparse
    /// image's don't-care chunks, a block OTA's erased ranges) take none. A bound for work that
    /// grows with the image's claimed size.
    public var storedBytes: UInt64 { min(size, file.allocated) }

    /// Opens the image `extents` describe inside the file at `path`. Every data extent must lie
    /// inside the file.
    public init(path: String, extents: [ImageExtent], origin: String) throws(FirmwareError) {
        file = try OpenFile(path: path, origin: origin)
        var starts: [UInt64] = []
        starts.reserveCapacity(extents.count)
        var total: UInt64 = 0
        for extent in extents {
            starts.append(total)
            let (sum, overflow) = total.addingReportingOverflow(extent.length)
            guard !overflow else { throw FirmwareError(file: origin, cause: "its extents add up to more than 2^64 bytes") }
            if case .data(let offset) = extent.source {
                let (end, over) = offset.addingReportingOverflow(extent.length)
                guard !over, end <= file.size else {
                    throw FirmwareError(file: origin, offset: total, cause: "an extent of \(extent.length) bytes at \(offset) lies outside its \(file.size)-byte container")
                }
            }
            total = sum
        }
        self.extents = extents
        self.starts = starts
        self.size = total
        self.origin = origin
    }

    /// Opens a whole file as an image.
    public convenience init(path: String, origin: String) throws(FirmwareError) {
        let file = try OpenFile(path: path, origin: origin)
        try self.init(path: path, extents: [.data(at: 0, length: file.size)], origin: origin)
    }

    /// The file and offset when the image is one contiguous piece of its file.
    var contiguous: (path: String, offset: UInt64)? {
        if extents.isEmpty { return (file.path, 0) }
        guard extents.count == 1, case .data(let offset) = extents[0].source else { return nil }
        return (file.path, offset)
    }

    /// Fills `buffer` from `offset` of the image; reading past its end fails with `truncated`.
    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, truncated: String = "the image is truncated") throws(FirmwareError) {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(buffer.count))
        guard !overflow, end <= size else { throw FirmwareError(file: origin, offset: min(offset, size), cause: truncated) }
        var done = 0
        var index = indexOfExtent(containing: offset)
        while done < buffer.count {
            let position = offset + UInt64(done)
            let extent = extents[index]
            let within = position - starts[index]
            let count = Int(min(UInt64(buffer.count - done), extent.length - within))
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[done..<(done + count)])
            switch extent.source {
            case .zero:
                piece.initializeMemory(as: UInt8.self, repeating: 0)
            case .data(let base):
                try FileSlice(file: file, offset: base, length: extent.length, origin: origin).read(at: within, into: piece, truncated: truncated)
            }
            done += count
            index += 1
        }
    }

    /// `count` bytes from `offset` of the image.
    public func bytes(at offset: UInt64, count: Int, truncated: String = "the image is truncated") throws(FirmwareError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: FirmwareError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(FirmwareError) { try read(at: offset, into: buffer, truncated: truncated) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes the image as one file at `path` (holes stay holes), for tools that need a plain file.
    public func materialize(to path: String) throws {
        let out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw FirmwareError(file: origin, cause: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(out) }
        guard ftruncate(out, off_t(size)) == 0 else {
            throw FirmwareError(file: origin, cause: "cannot size a copy of \(size) bytes: \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        for (index, extent) in extents.enumerated() {
            guard case .data = extent.source else { continue }
            var done: UInt64 = 0
            while done < extent.length {
                let count = Int(min(UInt64(buffer.count), extent.length - done))
                let position = starts[index] + done
                try buffer.withUnsafeMutableBytes { all in
                    let piece = UnsafeMutableRawBufferPointer(rebasing: all[..<count])
                    try read(at: position, into: piece)
                    var written = 0
                    while written < count {
                        let n = pwrite(out, piece.baseAddress! + written, count - written, off_t(position) + off_t(written))
                        if n < 0 && errno == EINTR { continue }
                        guard n > 0 else {
                            throw FirmwareError(file: origin, cause: "cannot copy the image out: \(String(cString: strerror(n < 0 ? errno : ENOSPC)))")
                        }
                        written += n
                    }
                }
                done += UInt64(count)
            }
        }
    }

    private func indexOfExtent(containing offset: UInt64) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        // Skip empty extents that start at the same offset.
        while low < extents.count - 1 && extents[low].length == 0 { low += 1 }
        return low
    }
}
