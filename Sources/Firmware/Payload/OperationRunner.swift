internal import Compression
internal import Crypto
internal import DumpCore

/// One worker's means to run install operations: its read and decode buffers (bounded, whatever
/// an operation claims) and a SHA-256 context. Not shared between threads.
final class OperationRunner {
    /// Bytes read from the payload at a time.
    static let inputChunk = 1 << 20
    /// Bytes decoded before they are written out.
    static let outputChunk = 2 << 20

    private let payload: FileSlice
    private let dataOffset: UInt64
    private let blockSize: UInt64
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputChunk, alignment: 4096)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputChunk, alignment: 4096)
    private let digest = StreamingDigest(.sha256)

    init(payload: FileSlice, dataOffset: UInt64, blockSize: UInt64) {
        self.payload = payload
        self.dataOffset = dataOffset
        self.blockSize = blockSize
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    /// Runs operation `index` of `partition`, writing into `fd` (the pre-sized image at `path`).
    /// ZERO and DISCARD do nothing: the fresh file already reads as zeros there.
    func run(_ operation: PayloadOperation, index: Int, partition: String, fd: Int32, path: String) throws(FirmwareError) {
        guard operation.type.carriesData else { return }
        let blobStart = dataOffset + operation.dataOffset  // both bounded by the slice length
        let what = "partition \(partition) operation \(index) (\(operation.type))"
        func failure(_ cause: String) -> FirmwareError { FirmwareError(file: payload.origin, offset: blobStart, cause: "\(what): \(cause)") }

        var writer = ExtentWriter(fd: fd, path: path, extents: operation.destinationExtents, blockSize: blockSize)
        var reader = BlobReader(start: blobStart, length: operation.dataLength)
        digest.reset()
        do {
            if operation.type == .replace {
                try copy(&reader, to: &writer)
            } else {
                try decode(&reader, with: try Self.decoder(for: operation.type), to: &writer, failure: failure)
                // The stream ended: the rest of the blob (padding) still counts for its hash.
                while try next(&reader) != nil {}
            }
        } catch {
            // A corrupt blob is best reported as what it is when its hash says so.
            if operation.dataSHA256 != nil {
                var rest: UnsafeRawBufferPointer? = try? next(&reader)
                while rest != nil { rest = try? next(&reader) }
                if reader.remaining == 0, !hashMatches(operation) { throw failure("blob SHA-256 does not match the manifest") }
            }
            throw error
        }
        guard hashMatches(operation) else { throw failure("blob SHA-256 does not match the manifest") }
        // REPLACE may be shorter than its extents (the tail stays zero); decoders must fill them.
        if operation.type != .replace, writer.written != writer.capacity {
            throw failure("decodes to \(writer.written) bytes but its extents hold \(writer.capacity)")
        }
    }

    private func hashMatches(_ operation: PayloadOperation) -> Bool {
        let actual = digest.finalize()
        guard let expected = operation.dataSHA256, !expected.isEmpty else { return true }
        return actual == expected
    }

    /// The blob position: what is left to read.
    struct BlobReader {
        var position: UInt64
        var remaining: UInt64
        init(start: UInt64, length: UInt64) {
            position = start
            remaining = length
        }
    }

    /// Reads and hashes the next chunk of the blob into `input`; nil at its end.
    private func next(_ reader: inout BlobReader) throws(FirmwareError) -> UnsafeRawBufferPointer? {
        guard reader.remaining > 0 else { return nil }
        let count = Int(min(UInt64(Self.inputChunk), reader.remaining))
        let chunk = UnsafeMutableRawBufferPointer(rebasing: input[0..<count])
        try payload.read(at: reader.position, into: chunk, truncated: "payload is truncated inside an operation's data")
        reader.position += UInt64(count)
        reader.remaining -= UInt64(count)
        digest.update(UnsafeRawBufferPointer(chunk))
        return UnsafeRawBufferPointer(chunk)
    }

    private func copy(_ reader: inout BlobReader, to writer: inout ExtentWriter) throws(FirmwareError) {
        while let chunk = try next(&reader) { try writer.write(chunk) }
    }

    private func decode(
        _ reader: inout BlobReader, with decoder: any StreamDecoder, to writer: inout ExtentWriter, failure: (String) -> FirmwareError
    ) throws(FirmwareError) {
        var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
        var filled = 0
        let capacity = output.count
        while true {
            if chunk.isEmpty, let more = try next(&reader) { chunk = more }
            let step: (consumed: Int, produced: Int, finished: Bool)
            do {
                step = try decoder.decode(chunk, into: UnsafeMutableRawBufferPointer(rebasing: output[filled...]))
            } catch {
                throw failure("corrupt \(decoder.format) data: \(error)")
            }
            chunk = UnsafeRawBufferPointer(rebasing: chunk[step.consumed...])
            filled += step.produced
            guard writer.written + UInt64(filled) <= writer.capacity else {
                throw failure("decodes to more than the \(writer.capacity) bytes its extents hold")
            }
            if filled == capacity || (step.finished && filled > 0) {
                try writer.write(UnsafeRawBufferPointer(rebasing: output[0..<filled]))
                filled = 0
            }
            if step.finished { return }
            if step.consumed == 0 && step.produced == 0 && chunk.isEmpty && reader.remaining == 0 {
                throw failure("the data ends before the \(decoder.format) stream does (truncated blob)")
            }
        }
    }

    private static func decoder(for type: PayloadOperationType) throws(FirmwareError) -> any StreamDecoder {
        do {
            switch type {
            case .replaceXz: return try XzDecoder()
            case .replaceBz: return try Bzip2Decoder()
            default: return try ZstdDecoder()
            }
        } catch {
            throw FirmwareError(file: "payload", cause: "cannot start the \(type) decoder: \(error)")
        }
    }
}
