#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// Rebuilds a partition image from a full block OTA: a transfer list and its new.dat stream.
public enum BlockImageWriter {
    /// The copy buffer: memory stays at this size whatever the image.
    static let bufferSize = 1 << 20

    /// Writes the image the transfer list describes into `fd` (an empty file, pre-sized here), streaming `newData`
    /// (already decompressed and joined by the caller) into the `new` ranges in order; erase/zero ranges read back as zeros.
    /// Returns the image size (the highest block any range ends at × 4096, as sdat2img sizes it).
    ///
    /// A new.dat shorter than the list needs fails naming the byte offset reached and the block
    /// wanted; one longer fails as trailing data. `origin` names new.dat in errors.
    public static func write(_ list: TransferList, newData: inout some ByteSource, to fd: Int32, origin: String) throws -> UInt64 {
        guard ftruncate(fd, off_t(list.imageSize)) == 0 else {
            throw FirmwareError(file: origin, cause: "cannot size the \(list.imageSize)-byte image: \(String(cString: strerror(errno)))")
        }
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        var consumed: UInt64 = 0
        for step in list.steps {
            switch step {
            case .new(let ranges):
                for range in ranges {
                    try copy(range, from: &newData, consumed: &consumed, needed: list.newDataSize, buffer: &buffer, to: fd, origin: origin)
                }
            case .zeros(let ranges):
                let zeros = [UInt8](repeating: 0, count: bufferSize)
                for range in ranges {
                    var done: UInt64 = 0
                    let length = range.count * TransferList.blockSize
                    while done < length {
                        let n = Int(min(UInt64(bufferSize), length - done))
                        try writeAll(fd, zeros, count: n, at: range.start * TransferList.blockSize + done, origin: origin)
                        done += UInt64(n)
                    }
                }
            }
        }
        let extra = try buffer.withUnsafeMutableBytes { try newData.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<1])) }
        guard extra == 0 else {
            throw FirmwareError(file: origin, offset: consumed, cause: "new.dat has data after the \(list.newBlockCount) blocks the transfer list uses")
        }
        return list.imageSize
    }

    private static func copy(
        _ range: BlockRange, from source: inout some ByteSource, consumed: inout UInt64, needed: UInt64, buffer: inout [UInt8], to fd: Int32,
        origin: String
    ) throws {
        let length = range.count * TransferList.blockSize
        var done: UInt64 = 0
        while done < length {
            let want = Int(min(UInt64(buffer.count), length - done))
            let n = try buffer.withUnsafeMutableBytes { try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            try writeAll(fd, buffer, count: n, at: range.start * TransferList.blockSize + done, origin: origin)
            done += UInt64(n)
            consumed += UInt64(n)
            guard n == want else {
                let block = range.start + done / TransferList.blockSize
                throw FirmwareError(
                    file: origin, offset: consumed,
                    cause: "new.dat ends at byte \(consumed) but block \(block) (range \(range.start)-\(range.end)) needs data; the transfer list needs \(needed) bytes")
            }
        }
    }

    /// Writes the first `count` bytes of `bytes` at `offset` of `fd`.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], count: Int, at offset: UInt64, origin: String) throws(FirmwareError) {
        var done = 0
        while done < count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FirmwareError(file: origin, cause: "cannot write the image: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
