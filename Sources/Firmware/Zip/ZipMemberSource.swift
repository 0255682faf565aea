#if canImport(Glibc)
internal import Glibc
#endif
internal import Compression
internal import DumpCore

/// A zip member's bytes: stored members read as they are, deflated ones inflated with ISA-L.
/// The CRC-32 and the size are checked at the end; a mismatch is an error, never silent.
final class ZipMemberSource: ByteSource {
    private let slice: FileSlice
    private let member: ZipMember
    private let origin: String
    private var position: UInt64
    private let end: UInt64
    private var produced: UInt64 = 0
    private var crc = CRC32()
    private let inflater: RawInflater?
    private var input: [UInt8] = []
    private var inputStart = 0
    private var done = false

    init(slice: FileSlice, member: ZipMember, dataOffset: UInt64, origin: String, inflater: RawInflater?) {
        self.slice = slice
        self.member = member
        self.origin = origin
        self.position = dataOffset
        self.end = dataOffset + member.compressedSize
        // An empty member needs no decoding (some writers mark it deflated with no data at all).
        self.inflater = member.size == 0 && member.compressedSize == 0 ? nil : inflater
        self.inflater?.reset()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !done, buffer.count > 0 else { return 0 }
        let n: Int
        if let inflater {
            n = try inflate(into: buffer, with: inflater)
        } else {
            let want = Int(min(UInt64(buffer.count), end - position))
            n = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        produced += UInt64(n)
        if produced > member.size { throw failure("holds more than its declared \(member.size) bytes") }
        if n == 0 { try finish() }
        return n
    }

    private func inflate(into buffer: UnsafeMutableRawBufferPointer, with inflater: RawInflater) throws -> Int {
        while true {
            if inflater.isFinished { return 0 }
            if inputStart == input.count {
                let want = Int(min(UInt64(1 << 20), end - position))
                if want == 0 {
                    // All input is in; ISA-L may still hold decoded bytes to hand out.
                    let (_, out): (Int, Int)
                    do { (_, out) = try inflater.inflate(UnsafeRawBufferPointer(start: nil, count: 0), into: buffer) } catch {
                        throw failure("corrupt deflate data")
                    }
                    if out > 0 || inflater.isFinished { return out }
                    throw failure("deflate data ends early")
                }
                input = [UInt8](repeating: 0, count: want)
                let n = try input.withUnsafeMutableBytes { try readRaw(into: $0) }
                input.removeLast(want - n)
                inputStart = 0
            }
            let (consumed, out): (Int, Int)
            do {
                (consumed, out) = try input.withUnsafeBytes { raw in
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: raw[inputStart...]), into: buffer)
                }
            } catch { throw failure("corrupt deflate data") }
            inputStart += consumed
            if out > 0 { return out }
            if consumed == 0 && !inflater.isFinished && inputStart < input.count { throw failure("corrupt deflate data") }
        }
    }

    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        guard position < slice.length else { throw failure("the archive is truncated") }
        let count = Int(min(UInt64(buffer.count), slice.length - position))
        while true {
            let n = pread(slice.file.fd, buffer.baseAddress, count, off_t(slice.offset + position))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure(n == 0 ? "the archive is truncated" : String(cString: strerror(errno))) }
            position += UInt64(n)
            return n
        }
    }

    private func finish() throws {
        done = true
        let checksum = inflater?.crc32 ?? crc.value
        guard produced == member.size else { throw failure("ends after \(produced) of its declared \(member.size) bytes") }
        guard checksum == member.crc32 else {
            throw failure("CRC mismatch: 0x\(String(checksum, radix: 16)) should be 0x\(String(member.crc32, radix: 16))")
        }
    }

    private func failure(_ cause: String) -> FirmwareError {
        FirmwareError(file: origin, offset: position, cause: cause)
    }
}
