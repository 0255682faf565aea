internal import CLzma

/// Decodes one xz stream with liblzma, step by step.
///
/// Owns its `lzma_stream`; one instance per thread. Reports `finished` at the end of the first
/// stream (its index and check verified); bytes after it are not consumed. A stream whose headers
/// ask for more than `memoryLimit` bytes of decoder memory (a hostile dictionary size) fails
/// before anything is allocated. The corresponding C functions are `lzma_stream_decoder`,
/// `lzma_code` and `lzma_end`.
public final class XzDecoder: StreamDecoder {
    public var format: String { "xz" }
    private var stream = clzma_stream_init()
    private var isFinished = false
    /// The decoder memory the stream may use.
    public let memoryLimit: UInt64

    /// Creates a decoder that refuses streams needing more than `memoryLimit` bytes (default 256 MiB).
    public init(memoryLimit: UInt64 = 256 << 20) throws(CompressionError) {
        self.memoryLimit = memoryLimit
        let rc = lzma_stream_decoder(&stream, memoryLimit, 0)
        guard rc == LZMA_OK else { throw Self.error("lzma_stream_decoder", rc, memoryLimit: memoryLimit) }
    }

    deinit { lzma_end(&stream) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        guard !isFinished else { return (0, 0, true) }
        stream.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_in = input.count
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = output.count
        let rc = lzma_code(&stream, LZMA_RUN)
        let consumed = input.count - stream.avail_in
        let produced = output.count - stream.avail_out
        stream.next_in = nil
        stream.next_out = nil
        switch rc {
        case LZMA_OK, LZMA_BUF_ERROR:
            return (consumed, produced, false)
        case LZMA_STREAM_END:
            isFinished = true
            return (consumed, produced, true)
        default:
            throw Self.error("lzma_code", rc, memoryLimit: memoryLimit)
        }
    }

    private static func error(_ function: String, _ rc: lzma_ret, memoryLimit: UInt64) -> CompressionError {
        let message: String
        switch rc {
        case LZMA_MEMLIMIT_ERROR: message = "the xz stream needs more than \(memoryLimit >> 20) MiB of decoder memory"
        case LZMA_MEM_ERROR: message = "out of memory"
        case LZMA_FORMAT_ERROR: message = "not xz data"
        case LZMA_OPTIONS_ERROR: message = "unsupported xz options"
        case LZMA_DATA_ERROR: message = "corrupt xz data"
        default: message = "liblzma error"
        }
        return CompressionError(function: function, code: Int32(rc.rawValue), message: message)
    }
}
