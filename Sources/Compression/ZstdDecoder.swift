internal import CZstd

/// Decodes one zstd frame with libzstd, step by step.
///
/// Owns its `ZSTD_DCtx`; one instance per thread. Reports `finished` at the end of the first
/// frame (its checksum verified when present); bytes after it are not consumed. Frames whose
/// window exceeds `2^maxWindowLog` bytes (default 128 MiB) are refused before the window is
/// allocated. The corresponding C functions are `ZSTD_createDCtx`, `ZSTD_decompressStream` and
/// `ZSTD_freeDCtx`.
public final class ZstdDecoder: StreamDecoder {
    public var format: String { "zstd" }
    private let context: OpaquePointer
    private var isFinished = false

    /// Creates a decoder that refuses frames with a window above `2^maxWindowLog` bytes.
    public init(maxWindowLog: Int32 = 27) throws(CompressionError) {
        guard let context = ZSTD_createDCtx() else {
            throw CompressionError(function: "ZSTD_createDCtx", code: 0, message: "out of memory")
        }
        self.context = context
        let rc = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, maxWindowLog)
        guard ZSTD_isError(rc) == 0 else { throw Self.error("ZSTD_DCtx_setParameter", rc) }
    }

    deinit { ZSTD_freeDCtx(context) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        guard !isFinished else { return (0, 0, true) }
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let rc = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        guard ZSTD_isError(rc) == 0 else { throw Self.error("ZSTD_decompressStream", rc) }
        // 0 means the frame is complete and fully flushed.
        if rc == 0 { isFinished = true }
        return (inBuffer.pos, outBuffer.pos, isFinished)
    }

    private static func error(_ function: String, _ rc: Int) -> CompressionError {
        let code = ZSTD_getErrorCode(rc)
        let name = ZSTD_getErrorName(rc).map { String(cString: $0) } ?? "libzstd error"
        return CompressionError(function: function, code: Int32(code.rawValue), message: name)
    }
}
