public import Compression
public import DumpCore

/// The decoded bytes of a compressed `ByteSource` (`system.new.dat.br`, `super.img.lz4`,
/// `system.img.gz`): decoding happens as the caller reads, in bounded buffers.
///
/// The compressed stream must end exactly where its input ends: input that stops early is
/// "truncated", and bytes after the end of the stream are refused (they would be lost silently).
public struct DecodingSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private let decoder: any StreamDecoder
    private let origin: String
    private var input: [UInt8]
    private var start = 0
    private var end = 0
    private var baseEnded = false
    private var finished = false
    /// Compressed bytes consumed so far, for error offsets.
    private var consumed: UInt64 = 0

    /// Decodes `base` with `decoder`; `origin` names the compressed file in errors.
    public init(_ base: Base, decoder: any StreamDecoder, origin: String, inputChunkSize: Int = 256 * 1024) {
        self.base = base
        self.decoder = decoder
        self.origin = origin
        self.input = [UInt8](repeating: 0, count: inputChunkSize)
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
                finished = true
                try checkNothingFollows()
            }
            if step.produced > 0 { return step.produced }
            if step.consumed == 0 && baseEnded && start == end && !finished {
                throw FirmwareError(file: origin, offset: consumed, cause: "truncated \(decoder.format) data: the compressed stream ends early")
            }
        }
        return 0
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
