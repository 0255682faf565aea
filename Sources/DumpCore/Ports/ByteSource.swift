/// A stream of bytes read front to back: an archive member, a file, a decompressor's output.
public protocol ByteSource {
    /// Fills up to `buffer.count` bytes; returns how many were read, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A `ByteSource` that first replays bytes already read (a header used to detect the content)
/// and then continues with the rest of the stream.
public struct PrefixedSource<Rest: ByteSource>: ByteSource {
    private var prefix: [UInt8]
    private var offset = 0
    private var rest: Rest

    public init(prefix: [UInt8], rest: Rest) {
        self.prefix = prefix
        self.rest = rest
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset < prefix.count {
            let n = min(buffer.count, prefix.count - offset)
            prefix.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
            offset += n
            return n
        }
        return try rest.read(into: buffer)
    }
}
