public import Compression
public import DumpCore

/// The decoded bytes of a compressed `ByteSource` (`system.new.dat.br`, `super.img.lz4`,
/// `system.img.gz`): decoding happens as the caller reads, in bounded buffers.
///
/// The compressed stream must end exactly where its input ends: input that stops early is
/// "truncated", and bytes after the end of the stream are refused (they would be lost silently) —
/// unless another stream of the same format follows (`cat a.gz b.gz`, pbzip2, multi-frame zstd),
/// which is decoded in turn, as the standard tools do.
public struct DecodingSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private var decoder: any StreamDecoder
    /// The format whose streams may follow one another; nil when only one stream is allowed.
    private let format: ContentKind.Compression?
    private let origin: String
    private var input: [UInt8]
    private var start = 0
    private var end = 0
    private var baseEnded = false
    private var finished = false
    /// Compressed bytes consumed so far, for error offsets.
    private var consumed: UInt64 = 0

    /// Decodes one stream of `base` with `decoder`; `origin` names the compressed file in errors.
    public init(_ base: Base, decoder: any StreamDecoder, origin: String, inputChunkSize: Int = 256 * 1024) {
        self.base = base
        self.decoder = decoder
        self.format = nil
        self.origin = origin
        self.input = [UInt8](repeating: 0, count: max(inputChunkSize, 64))
    }

    /// Decodes `base`: one stream of `format`, or several one after the other.
    public init(_ base: Base, format: ContentKind.Compression, origin: String, inputChunkSize: Int = 256 * 1024) throws {
        guard let decoder = Decoders.make(format) else {
            throw FirmwareError(file: origin, cause: "cannot start the \(format.rawValue) decoder")
        }
        self.base = base
        self.decoder = decoder
        self.format = format
        self.origin = origin
        self.input = [UInt8](repeating: 0, count: max(inputChunkSize, 64))
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while !finished {
            if start == end && !baseEnded {
                start = 0
                end = try input.withUnsafeMutableBytes { try base.read(into: $0) }
                if end == 0 { baseEnded = true }
            }
            let step: (consumed: Int, produced: Int, finished: Bool)
            do {
                step = try input.withUnsafeBytes { bytes in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), into: buffer)
                }
            } catch let error as CompressionError {
                throw FirmwareError(file: origin, offset: consumed + UInt64(start), cause: "corrupt \(decoder.format) data: \(error.message.isEmpty ? error.description : error.message)")
            }
            start += step.consumed
            consumed += UInt64(step.consumed)
            if step.finished {
                if try anotherStreamFollows(), let next = format.flatMap(Decoders.make) {
                    decoder = next
                } else {
                    finished = true
                    try checkNothingFollows()
                }
            }
            if step.produced > 0 { return step.produced }
            if step.consumed == 0 && baseEnded && start == end && !finished {
                throw FirmwareError(file: origin, offset: consumed, cause: "truncated \(decoder.format) data: the compressed stream ends early")
            }
        }
        return 0
    }

    /// Whether the bytes after a finished stream start another stream of the same format.
    private mutating func anotherStreamFollows() throws -> Bool {
        guard let format else { return false }
        // Have at least a magic number's worth of bytes at hand.
        if end - start < 16 && !baseEnded {
            let left = Array(input[start..<end])
            input.replaceSubrange(0..<left.count, with: left)
            start = 0
            end = left.count
            while end < 16 && !baseEnded {
                let n = try input.withUnsafeMutableBytes { try base.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
                if n == 0 { baseEnded = true }
                end += n
            }
        }
        guard start < end else { return false }
        return ContentKind.detect(input[start..<end]) == .compressed(format)
    }

    /// After the end of the compressed stream only the end of the input may follow.
    private mutating func checkNothingFollows() throws {
        if start < end { throw trailing() }
        while !baseEnded {
            end = try input.withUnsafeMutableBytes { try base.read(into: $0) }
            start = 0
            if end == 0 { baseEnded = true } else { throw trailing() }
        }
    }

    private func trailing() -> FirmwareError {
        FirmwareError(file: origin, offset: consumed, cause: "unexpected data after the end of the \(decoder.format) stream")
    }
}
