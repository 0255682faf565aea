internal import CZlib

/// Streams a zlib-format stream back to its bytes with zlib.
///
/// Owns its `z_stream`; one instance per thread. The corresponding C functions are
/// `inflateInit`, `inflate` and `inflateEnd`.
public final class ZlibInflater {
    private var stream = z_stream()
    private var output: [UInt8]
    /// True once the stream's end (and its checksum) was reached.
    public private(set) var isFinished = false

    /// Creates an inflater; `outputChunkSize` bounds the bytes handed to `sink` at a time.
    public init(outputChunkSize: Int = 256 * 1024) throws {
        output = [UInt8](repeating: 0, count: outputChunkSize)
        let rc = czlib_inflate_init(&stream)
        guard rc == Z_OK else { throw CompressionError(function: "inflateInit", code: rc, message: "") }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates `input`, handing output to `sink`. Bytes after the end of the stream are ignored.
    public func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !isFinished, let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let capacity = output.count
        try output.withUnsafeMutableBufferPointer { out in
            repeat {
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(capacity)
                let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = capacity - Int(stream.avail_out)
                if produced > 0 { try sink(UnsafeRawBufferPointer(start: out.baseAddress, count: produced)) }
                if rc == Z_STREAM_END { isFinished = true; break }
                guard rc == Z_OK || rc == Z_BUF_ERROR else {
                    let message = stream.msg.map { String(cString: $0) } ?? ""
                    throw CompressionError(function: "inflate", code: rc, message: message)
                }
                if rc == Z_BUF_ERROR && stream.avail_out != 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
        }
        stream.next_in = nil
    }

    /// Inflates a whole zlib stream; throws if it is incomplete.
    public static func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        let i = try ZlibInflater()
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { input in try i.inflate(input) { out.append(contentsOf: $0) } }
        guard i.isFinished else { throw CompressionError(function: "inflate", code: Z_BUF_ERROR, message: "truncated stream") }
        return out
    }
}
