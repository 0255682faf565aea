public import DumpCore

/// Bytes in memory as a `ByteSource`.
struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
        offset += n
        return n
    }
}

/// A `FileSlice` read front to back.
public struct SliceSource: ByteSource {
    private let slice: FileSlice
    private var position: UInt64 = 0

    public init(_ slice: FileSlice) { self.slice = slice }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Int(min(UInt64(buffer.count), slice.length - position))
        guard n > 0 else { return 0 }
        try slice.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<n]))
        position += UInt64(n)
        return n
    }
}
