internal import CZlib

/// Decodes one gzip member (`system.img.gz`) with zlib, checking its CRC and length. Owns its stream.
public final class GzipDecoder: StreamDecoder {
    private var stream = z_stream()
    public let format = "gzip"
    private var isFinished = false

    public init() throws(CompressionError) {
        let rc = czlib_inflate_init_gzip(&stream)
        guard rc == Z_OK else { throw CompressionError(function: "inflateInit2", code: rc, message: "") }
    }

    deinit { inflateEnd(&stream) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        guard !isFinished else { return (0, 0, true) }
        // zlib counts in 32-bit fields: feed at most 1 GiB at a time.
        let inCount = min(input.count, 1 << 30)
        let outCount = min(output.count, 1 << 30)
        stream.next_in = inCount > 0 ? UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self)) : nil
        stream.avail_in = uInt(inCount)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(outCount)
        let rc = inflate(&stream, Z_NO_FLUSH)
        let consumed = inCount - Int(stream.avail_in)
        let produced = outCount - Int(stream.avail_out)
        stream.next_in = nil
        stream.next_out = nil
        switch rc {
        case Z_STREAM_END:
            isFinished = true
        case Z_OK, Z_BUF_ERROR:
            break
        default:
            let message = stream.msg.map { String(cString: $0) } ?? ""
            throw CompressionError(function: "inflate", code: rc, message: message)
        }
        return (consumed, produced, isFinished)
    }
}
