internal import CLz4

/// Decodes one LZ4 frame (Samsung `*.img.lz4`, `lz4 -B6 --content-size`). Owns its context.
public final class Lz4FrameDecoder: StreamDecoder {
    private let context: OpaquePointer
    public let format = "LZ4"
    private var isFinished = false

    public init() throws(CompressionError) {
        var context: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&context, clz4_frame_version())
        guard LZ4F_isError(rc) == 0, let context else {
            throw CompressionError(function: "LZ4F_createDecompressionContext", code: -1, message: String(cString: LZ4F_getErrorName(rc)))
        }
        self.context = context
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        guard !isFinished else { return (0, 0, true) }
        var sourceSize = input.count
        var destinationSize = output.count
        let hint = LZ4F_decompress(context, output.baseAddress, &destinationSize, input.baseAddress, &sourceSize, nil)
        if LZ4F_isError(hint) != 0 {
            throw CompressionError(function: "LZ4F_decompress", code: -1, message: String(cString: LZ4F_getErrorName(hint)))
        }
        isFinished = hint == 0
        return (sourceSize, destinationSize, isFinished)
    }
}
