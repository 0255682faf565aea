internal import CBzip2

/// Decodes one bzip2 stream with libbz2, step by step.
///
/// Owns its `bz_stream`; one instance per thread. Reports `finished` at the end of the stream
/// (its CRC verified); bytes after it are not consumed. bzip2 needs at most about 4 MB per
/// stream, so there is no memory limit to set. The corresponding C functions are
/// `BZ2_bzDecompressInit`, `BZ2_bzDecompress` and `BZ2_bzDecompressEnd`.
public final class Bzip2Decoder: StreamDecoder {
    public var format: String { "bzip2" }
    private var stream = bz_stream()
    private var isFinished = false

    public init() throws(CompressionError) {
        let rc = BZ2_bzDecompressInit(&stream, 0, 0)
        guard rc == BZ_OK else { throw Self.error("BZ2_bzDecompressInit", rc) }
    }

    deinit { BZ2_bzDecompressEnd(&stream) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        guard !isFinished else { return (0, 0, true) }
        // libbz2 counts in 32 bits; larger buffers are simply used in part.
        let inCount = min(input.count, Int(UInt32.max))
        let outCount = min(output.count, Int(UInt32.max))
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
        stream.avail_in = UInt32(inCount)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: CChar.self)
        stream.avail_out = UInt32(outCount)
        let rc = BZ2_bzDecompress(&stream)
        let consumed = inCount - Int(stream.avail_in)
        let produced = outCount - Int(stream.avail_out)
        stream.next_in = nil
        stream.next_out = nil
        switch rc {
        case BZ_OK:
            return (consumed, produced, false)
        case BZ_STREAM_END:
            isFinished = true
            return (consumed, produced, true)
        default:
            throw Self.error("BZ2_bzDecompress", rc)
        }
    }

    private static func error(_ function: String, _ rc: Int32) -> CompressionError {
        let message: String
        switch rc {
        case BZ_DATA_ERROR_MAGIC: message = "not bzip2 data"
        case BZ_DATA_ERROR: message = "corrupt bzip2 data"
        case BZ_MEM_ERROR: message = "out of memory"
        case BZ_PARAM_ERROR: message = "invalid parameter"
        default: message = "libbz2 error"
        }
        return CompressionError(function: function, code: rc, message: message)
    }
}
