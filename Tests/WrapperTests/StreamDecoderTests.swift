import Compression
import DumpTestSupport
import Foundation
import Testing

/// The xz, bzip2 and zstd decoders against data compressed by the real command-line tools.
@Suite struct StreamDecoderTests {
    enum Codec: String, CaseIterable, Sendable {
        case xz, bzip2, zstd

        func makeDecoder() throws -> any StreamDecoder {
            switch self {
            case .xz: try XzDecoder()
            case .bzip2: try Bzip2Decoder()
            case .zstd: try ZstdDecoder()
            }
        }

        /// Compresses `file` with the real CLI to stdout.
        func compress(_ file: String) throws -> [UInt8] {
            let arguments: [String] =
                switch self {
                case .xz: ["-c", "-6", file]
                case .bzip2: ["-c", "-9", file]
                case .zstd: ["-c", "-q", "-19", file]
                }
            return [UInt8](try Tool.check(rawValue, arguments).stdoutBytes)
        }
    }

    /// What decoding a whole buffer gave.
    struct Outcome {
        var output: [UInt8]
        var consumed: Int
        var finished: Bool
    }

    /// Feeds `input` in `step`-byte pieces into `outputStep`-byte buffers until the stream ends or
    /// no more progress is possible.
    static func decodeAll(_ decoder: any StreamDecoder, _ input: [UInt8], step: Int = 1000, outputStep: Int = 777) throws -> Outcome {
        var output: [UInt8] = []
        var position = 0
        var buffer = [UInt8](repeating: 0, count: outputStep)
        while true {
            let end = min(input.count, position + step)
            let r = try input.withUnsafeBytes { inBytes in
                try buffer.withUnsafeMutableBytes { out in
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: inBytes[position..<end]), into: out)
                }
            }
            position += r.consumed
            output += buffer[0..<r.produced]
            if r.finished { return Outcome(output: output, consumed: position, finished: true) }
            if r.consumed == 0 && r.produced == 0 && position == input.count {
                return Outcome(output: output, consumed: position, finished: false)
            }
        }
    }

    /// 300 KB of text-like and random bytes, written to a file for the CLIs.
    static func sample(in dir: TemporaryDirectory) throws -> (path: String, bytes: [UInt8]) {
        var bytes = [UInt8]()
        for i in 0..<6000 { bytes += Array("line \(i): ro.product.name=dumpyard value \(i * 7919)\n".utf8) }
        var generator = SystemRandomNumberGenerator()
        bytes += (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = dir.file("sample.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    @Test(arguments: Codec.allCases)
    func roundTripsWhatTheToolWrote(codec: Codec) throws {
        let dir = try TemporaryDirectory("decoder")
        let (path, bytes) = try Self.sample(in: dir)
        let compressed = try codec.compress(path)
        let outcome = try Self.decodeAll(try codec.makeDecoder(), compressed + [1, 2, 3])
        #expect(outcome.finished)
        #expect(outcome.output == bytes)
        // Bytes after the end of the stream are left alone.
        #expect(outcome.consumed == compressed.count)
        // One big call works as well as many small ones.
        let whole = try Self.decodeAll(try codec.makeDecoder(), compressed, step: compressed.count, outputStep: bytes.count + 10)
        #expect(whole.finished && whole.output == bytes)
    }

    @Test(arguments: Codec.allCases)
    func truncatedStreamNeverFinishes(codec: Codec) throws {
        let dir = try TemporaryDirectory("decoder")
        let compressed = try codec.compress(try Self.sample(in: dir).path)
        for cut in [compressed.count / 2, compressed.count - 1] {
            let outcome = try Self.decodeAll(try codec.makeDecoder(), Array(compressed.prefix(cut)))
            #expect(!outcome.finished)
        }
    }

    @Test(arguments: Codec.allCases)
    func corruptStreamThrows(codec: Codec) throws {
        let dir = try TemporaryDirectory("decoder")
        var compressed = try codec.compress(try Self.sample(in: dir).path)
        for i in stride(from: compressed.count / 3, to: compressed.count / 3 + 64, by: 1) { compressed[i] ^= 0x5A }
        #expect(throws: CompressionError.self) { _ = try Self.decodeAll(try codec.makeDecoder(), compressed) }
    }

    @Test(arguments: Codec.allCases)
    func foreignDataIsRefused(codec: Codec) throws {
        let error = #expect(throws: CompressionError.self) {
            _ = try Self.decodeAll(try codec.makeDecoder(), Array("this is not compressed at all, not even a little".utf8))
        }
        #expect(error != nil)
    }

    /// An xz stream whose block header claims a 4 GiB dictionary fails on the memory limit
    /// instead of allocating it.
    @Test func hostileXzDictionaryHitsTheMemoryLimit() throws {
        let script = """
            import lzma, struct, sys, zlib
            b = bytearray(lzma.compress(b'x' * 1000, format=lzma.FORMAT_XZ))
            size = (b[12] + 1) * 4
            assert b[13] & 0xC0 == 0 and b[14] == 0x21 and b[15] == 1
            b[16] = 40  # LZMA2 dictionary size byte: 4 GiB - 1
            b[12 + size - 4:12 + size] = struct.pack('<I', zlib.crc32(bytes(b[12:12 + size - 4])))
            sys.stdout.buffer.write(bytes(b))
            """
        let hostile = [UInt8](try Tool.check("python3", ["-c", script]).stdoutBytes)
        let error = #expect(throws: CompressionError.self) { _ = try Self.decodeAll(try XzDecoder(memoryLimit: 256 << 20), hostile) }
        #expect(error?.message.contains("256 MiB") == true)
    }
}
