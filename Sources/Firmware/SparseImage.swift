#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// Expands an Android sparse image into the raw image it describes, streaming: chunks are read
/// front to back and written at their block offsets; DONT_CARE chunks stay holes.
///
/// Format (little-endian): a 28-byte file header (magic 0xED26FF3A, version 1.0, header sizes,
/// block size, total blocks, chunk count), then chunks of a 12-byte header (type, reserved,
/// blocks, total size) and their data: RAW 0xCAC1 (the blocks), FILL 0xCAC2 (a 4-byte pattern),
/// DONT_CARE 0xCAC3 (nothing), CRC32 0xCAC4 (4 bytes, ignored).
public enum SparseImage {
    /// The parsed file header.
    public struct Header: Sendable, Hashable {
        public var blockSize: UInt32
        public var totalBlocks: UInt32
        public var totalChunks: UInt32
        public var fileHeaderSize: UInt16
        public var chunkHeaderSize: UInt16

        /// The size of the raw image.
        public var rawSize: UInt64 { UInt64(blockSize) * UInt64(totalBlocks) }
    }

    /// Parses and checks the 28-byte file header.
    public static func parseHeader(_ b: [UInt8], file: String) throws(FirmwareError) -> Header {
        guard b.count >= 28 else { throw FirmwareError(file: file, offset: 0, cause: "sparse header is truncated") }
        guard b.le32(0) == 0xED26_FF3A else { throw FirmwareError(file: file, offset: 0, cause: "not an Android sparse image") }
        guard b.le16(4) == 1 else {
            throw FirmwareError(file: file, offset: 4, cause: "unsupported sparse format version \(b.le16(4)).\(b.le16(6))")
        }
        let header = Header(
            blockSize: b.le32(12), totalBlocks: b.le32(16), totalChunks: b.le32(20),
            fileHeaderSize: b.le16(8), chunkHeaderSize: b.le16(10))
        guard header.fileHeaderSize >= 28, header.chunkHeaderSize >= 12 else {
            throw FirmwareError(file: file, offset: 8, cause: "sparse header sizes \(header.fileHeaderSize)/\(header.chunkHeaderSize) are too small")
        }
        guard header.blockSize >= 512, header.blockSize % 4 == 0, header.blockSize <= 1 << 24 else {
            throw FirmwareError(file: file, offset: 12, cause: "invalid sparse block size \(header.blockSize)")
        }
        return header
    }

    /// The largest raw image a sparse file may describe (no partition comes near it).
    public static let maximumRawSize: UInt64 = 256 << 30

    /// Expands the sparse image read from `source` into the file `fd`: an empty file, or with
    /// `overlay` one that earlier pieces of a split image were expanded into (zero fills are then
    /// written, not assumed). `checkSpace` runs after every 64 MiB written and once at the end, with the bytes written so
    /// far, and may throw to stop. `wroteBlocks` is told of every chunk that carries data (its
    /// first block, block count and offset in the sparse file), in order.
    /// Returns the header. Any inconsistency or early end fails with the offset in the sparse file.
    @discardableResult
    public static func expand(
        source: inout some ByteSource, into fd: Int32, file: String, overlay: Bool = false, checkSpace: (UInt64) throws -> Void = { _ in },
        wroteBlocks: (_ start: UInt64, _ count: UInt64, _ sparseOffset: UInt64) throws -> Void = { _, _, _ in }
    ) throws -> Header {
        let header = try parseHeader(try source.readBytes(28), file: file)
        guard header.rawSize <= maximumRawSize else {
            throw FirmwareError(file: file, offset: 16, cause: "the sparse header claims a \(header.rawSize)-byte image, more than any partition (limit \(maximumRawSize >> 30) GiB)")
        }
        var written: UInt64 = 0
        var nextCheck: UInt64 = 64 << 20
        func wrote(_ count: Int) throws {
            written += UInt64(count)
            if written >= nextCheck {
                try checkSpace(written)
                nextCheck += 64 << 20
            }
        }
        var offset: UInt64 = 28
        // Every chunk but a CRC one covers at least one block.
        guard UInt64(header.totalChunks) <= 2 * UInt64(header.totalBlocks) + 2 else {
            throw FirmwareError(file: file, offset: 20, cause: "sparse header claims \(header.totalChunks) chunks for \(header.totalBlocks) blocks")
        }
        guard header.fileHeaderSize <= 4096, header.chunkHeaderSize <= 4096 else {
            throw FirmwareError(file: file, offset: 8, cause: "sparse header sizes \(header.fileHeaderSize)/\(header.chunkHeaderSize) are implausible")
        }
        try skip(Int(header.fileHeaderSize) - 28, from: &source, offset: &offset, file: file)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var fill: [UInt8] = []
        var fillPattern: [UInt8] = []
        var block: UInt64 = 0
        for chunk in 0..<header.totalChunks {
            let chunkStart = offset
            let raw = try source.readBytes(12)
            guard raw.count == 12 else {
                throw FirmwareError(file: file, offset: chunkStart, cause: "sparse image is truncated: chunk \(chunk + 1) of \(header.totalChunks) is missing")
            }
            offset += 12
            try skip(Int(header.chunkHeaderSize) - 12, from: &source, offset: &offset, file: file)
            let type = raw.le16(0)
            let blocks = UInt64(raw.le32(4))
            let totalSize = UInt64(raw.le32(8))
            let dataSize = totalSize &- UInt64(header.chunkHeaderSize)
            guard totalSize >= UInt64(header.chunkHeaderSize) else {
                throw FirmwareError(file: file, offset: chunkStart, cause: "sparse chunk \(chunk + 1) declares an impossible size \(totalSize)")
            }
            guard blocks > 0 || type == 0xCAC4 else {
                throw FirmwareError(file: file, offset: chunkStart, cause: "sparse chunk \(chunk + 1) covers no block")
            }
            guard block + blocks <= UInt64(header.totalBlocks) else {
                throw FirmwareError(file: file, offset: chunkStart, cause: "sparse chunk \(chunk + 1) runs past the image's \(header.totalBlocks) blocks")
            }
            let outputOffset = block * UInt64(header.blockSize)
            let length = blocks * UInt64(header.blockSize)
            switch type {
            case 0xCAC1:
                guard dataSize == length else {
                    throw FirmwareError(file: file, offset: chunkStart, cause: "raw sparse chunk \(chunk + 1) holds \(dataSize) bytes for \(blocks) blocks")
                }
                var done: UInt64 = 0
                while done < length {
                    let want = Int(min(UInt64(buffer.count), length - done))
                    let n = try buffer.withUnsafeMutableBytes {
                        try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]))
                    }
                    guard n == want else {
                        throw FirmwareError(file: file, offset: offset + UInt64(n), cause: "sparse image is truncated inside chunk \(chunk + 1) of \(header.totalChunks)")
                    }
                    try buffer.withUnsafeBytes { try writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: outputOffset + done, file: file) }
                    done += UInt64(n)
                    offset += UInt64(n)
                    try wrote(n)
                }
            case 0xCAC2:
                guard dataSize == 4 else {
                    throw FirmwareError(file: file, offset: chunkStart, cause: "fill sparse chunk \(chunk + 1) has \(dataSize) data bytes, not 4")
                }
                let pattern = try source.readBytes(4)
                guard pattern.count == 4 else {
                    throw FirmwareError(file: file, offset: offset, cause: "sparse image is truncated inside chunk \(chunk + 1) of \(header.totalChunks)")
                }
                offset += 4
                if pattern != [0, 0, 0, 0] || overlay {
                    if fillPattern != pattern {
                        fill = [UInt8](repeating: 0, count: 1 << 20)
                        for i in stride(from: 0, to: fill.count, by: 4) { fill[i..<(i + 4)] = pattern[...] }
                        fillPattern = pattern
                    }
                    var done: UInt64 = 0
                    while done < length {
                        let n = Int(min(UInt64(fill.count), length - done))
                        try fill.withUnsafeBytes { try writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: outputOffset + done, file: file) }
                        done += UInt64(n)
                        try wrote(n)
                    }
                }
            case 0xCAC3:
                guard dataSize == 0 else {
                    throw FirmwareError(file: file, offset: chunkStart, cause: "don't-care sparse chunk \(chunk + 1) carries \(dataSize) data bytes")
                }
            case 0xCAC4:
                guard dataSize == 4 else {
                    throw FirmwareError(file: file, offset: chunkStart, cause: "CRC sparse chunk \(chunk + 1) has \(dataSize) data bytes, not 4")
                }
                try skip(4, from: &source, offset: &offset, file: file)
                continue
            default:
                throw FirmwareError(file: file, offset: chunkStart, cause: "unknown sparse chunk type 0x\(String(type, radix: 16)) in chunk \(chunk + 1)")
            }
            if type != 0xCAC3 { try wroteBlocks(block, blocks, chunkStart) }
            block += blocks
        }
        guard block == UInt64(header.totalBlocks) else {
            throw FirmwareError(file: file, offset: offset, cause: "sparse chunks cover \(block) of the image's \(header.totalBlocks) blocks")
        }
        try checkSpace(written)
        guard ftruncate(fd, off_t(header.rawSize)) == 0 else {
            throw FirmwareError(file: file, cause: "cannot size the raw image: \(String(cString: strerror(errno)))")
        }
        return header
    }

    private static func skip(_ count: Int, from source: inout some ByteSource, offset: inout UInt64, file: String) throws {
        guard count > 0 else { return }
        let skipped = try source.readBytes(count)
        guard skipped.count == count else { throw FirmwareError(file: file, offset: offset, cause: "sparse image is truncated") }
        offset += UInt64(count)
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, file: String) throws(FirmwareError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FirmwareError(file: file, cause: "cannot write the raw image: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
