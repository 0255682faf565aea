internal import CBrotli

/// Decodes a brotli stream (`system.new.dat.br`). Owns its decoder state.
public final class BrotliDecoder: StreamDecoder {
    private let state: OpaquePointer
    public let format = "brotli"

    public init() throws(CompressionError) {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw CompressionError(function: "BrotliDecoderCreateInstance", code: 0, message: "out of memory")
        }
        self.state = state
    }

    deinit { BrotliDecoderDestroyInstance(state) }

    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
    {
        var availableIn = input.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var availableOut = output.count
        var nextOut = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
        if result == BROTLI_DECODER_RESULT_ERROR {
            let code = BrotliDecoderGetErrorCode(state)
            throw CompressionError(
                function: "BrotliDecoderDecompressStream", code: Int32(code.rawValue),
                message: String(cString: BrotliDecoderErrorString(code)))
        }
        return (input.count - availableIn, output.count - availableOut, result == BROTLI_DECODER_RESULT_SUCCESS)
    }
}
