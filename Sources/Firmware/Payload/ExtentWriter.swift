#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore

/// Writes an operation's output stream across its destination extents, in order: byte `n` of the
/// stream lands in the extent that covers it. Counts what was written so too much output fails
/// before it is written.
struct ExtentWriter {
    let fd: Int32
    /// The output file's name for messages.
    let path: String
    /// `(file offset, length)` of every extent, in order.
    private let pieces: [(offset: UInt64, length: UInt64)]
    private var piece = 0
    private var inPiece: UInt64 = 0
    /// Bytes written so far.
    private(set) var written: UInt64 = 0
    /// The total the extents hold.
    let capacity: UInt64

    init(fd: Int32, path: String, extents: [PayloadExtent], blockSize: UInt64) {
        self.fd = fd
        self.path = path
        // The plan checked that these products and sums fit the partition.
        pieces = extents.map { ($0.startBlock * blockSize, $0.blockCount * blockSize) }
        capacity = pieces.reduce(0) { $0 + $1.length }
    }

    /// Writes `bytes` at the current stream position. The caller checks `capacity` first.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(FirmwareError) {
        var rest = bytes
        while !rest.isEmpty {
            precondition(piece < pieces.count, "ExtentWriter: more output than the extents hold")
            let (offset, length) = pieces[piece]
            let n = Int(min(UInt64(rest.count), length - inPiece))
            try Self.writeAll(fd, UnsafeRawBufferPointer(rebasing: rest[0..<n]), at: offset + inPiece, path: path)
            inPiece += UInt64(n)
            written += UInt64(n)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if inPiece == length {
                piece += 1
                inPiece = 0
            }
        }
    }

    /// `pwrite` until everything is written.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, path: String) throws(FirmwareError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FirmwareError(file: path, offset: offset + UInt64(done), cause: "cannot write: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
