/// A decompressor driven step by step: input and output buffers in, how much of each was used out.
/// Every codec (gzip, xz, bzip2, zstd, LZ4 frame, brotli) conforms, so the firmware readers can
/// stream any of them the same way. An instance owns its C stream and serves one thread.
public protocol StreamDecoder: AnyObject {
    /// The codec's name for messages (`xz`, `brotli`).
    var format: String { get }

    /// Decodes from `input` into `output`. Returns how many input bytes were consumed, how many
    /// output bytes were produced, and whether the end of the compressed stream was reached (its
    /// checksum verified where the format has one). Makes progress whenever `input` is non-empty
    /// and `output` has room; corrupt data throws.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError)
        -> (consumed: Int, produced: Int, finished: Bool)
}
