internal import CIsal

/// Streams bytes into one zlib-format (RFC 1950) stream with ISA-L's igzip at level 1.
///
/// ISA-L writes valid zlib streams several times faster than zlib itself; level 1 is used
/// because level 0 grows incompressible data. Owns its level buffer; one instance per thread.
/// The corresponding C functions are `isal_deflate_init` and `isal_deflate`.
public final class ZlibDeflater {
    private var stream = isal_zstream()
    private let levelBuffer: UnsafeMutableRawBufferPointer
    private var output: [UInt8]
    private var finished = false

    /// Creates a deflater; `outputChunkSize` bounds the bytes handed to `sink` at a time.
    public init(outputChunkSize: Int = 256 * 1024) {
        levelBuffer = .allocate(byteCount: Int(cisal_level1_buffer_size()), alignment: 16)
        output = [UInt8](repeating: 0, count: outputChunkSize)
        reset()
    }

    deinit { levelBuffer.deallocate() }

    /// Starts a new, independent zlib stream.
    public func reset() {
        isal_deflate_init(&stream)
        stream.level = 1
        stream.level_buf = levelBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.level_buf_size = UInt32(levelBuffer.count)
        stream.gzip_flag = UInt16(IGZIP_ZLIB)
        stream.flush = UInt16(NO_FLUSH)
        stream.end_of_stream = 0
        finished = false
    }

    /// Compresses `input`, handing finished output to `sink`.
    public func compress(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!finished, "compress after finish; call reset()")
        try run(input, end: false, sink: sink)
    }

    /// Ends the stream (adler-32 trailer included), handing the remaining output to `sink`.
    public func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), end: true, sink: sink)
        finished = true
    }

    /// Compresses a whole buffer into one zlib stream.
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        let d = ZlibDeflater()
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { input in
            try d.compress(input) { out.append(contentsOf: $0) }
        }
        try d.finish { out.append(contentsOf: $0) }
        return out
    }

    private func run(_ input: UnsafeRawBufferPointer, end: Bool, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        stream.end_of_stream = end ? 1 : 0
        let capacity = output.count
        try output.withUnsafeMutableBufferPointer { out in
            while true {
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(capacity)
                let rc = isal_deflate(&stream)
                guard rc == COMP_OK else { throw CompressionError(function: "isal_deflate", code: rc, message: "") }
                let produced = capacity - Int(stream.avail_out)
                if produced > 0 { try sink(UnsafeRawBufferPointer(start: out.baseAddress, count: produced)) }
                let drained = stream.avail_in == 0 && produced < capacity
                if end ? (stream.internal_state.state == ZSTATE_END) : drained { break }
            }
        }
        stream.next_in = nil
    }
}
