import Compression
import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

/// The stream decoders behind `DecodingSource`, fed with data the real command-line tools compressed.
@Suite struct DecodingSourceTests {
    /// Image-like bytes: text, zeros and noise.
    static let plain: [UInt8] = {
        var bytes = Array(String(repeating: "ro.product.device=gravel\n", count: 20_000).utf8)
        bytes += [UInt8](repeating: 0, count: 300_000)
        var state: UInt32 = 2463534242
        for _ in 0..<400_000 {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        return bytes
    }()

    static func compressed(_ tool: String, _ arguments: [String]) throws -> [UInt8] {
        let dir = try TemporaryDirectory("codec")
        try Data(plain).write(to: URL(fileURLWithPath: dir.file("in")))
        return Array(try Tool.check(tool, arguments + ["-c", dir.file("in")]).stdoutBytes)
    }

    static func decoder(_ format: String) throws -> any StreamDecoder {
        switch format {
        case "brotli": try BrotliDecoder()
        case "lz4": try Lz4FrameDecoder()
        default: try GzipDecoder()
        }
    }

    static let tools: [String: (String, [String])] = [
        "brotli": ("brotli", ["-q", "5"]),
        "lz4": ("lz4", ["-B6", "--content-size", "-q"]),
        "gzip": ("gzip", ["-6"]),
    ]

    static func decode(_ bytes: [UInt8], format: String, chunk: Int = .max) throws -> [UInt8] {
        var source = DecodingSource(BytesSource(bytes: bytes, chunk: chunk), decoder: try decoder(format), origin: "x.\(format)", inputChunkSize: 4096)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 10_000)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[..<n]
        }
    }

    @Test(arguments: ["brotli", "lz4", "gzip"])
    func roundTripsWhatTheToolWrote(format: String) throws {
        let (tool, arguments) = Self.tools[format]!
        let packed = try Self.compressed(tool, arguments)
        #expect(try Self.decode(packed, format: format) == Self.plain)
        #expect(try Self.decode(packed, format: format, chunk: 777) == Self.plain)
    }

    @Test(arguments: ["brotli", "lz4", "gzip"])
    func truncatedStreamFailsNamingTheFile(format: String) throws {
        let (tool, arguments) = Self.tools[format]!
        let packed = try Self.compressed(tool, arguments)
        #expect {
            try Self.decode(Array(packed.prefix(packed.count * 2 / 3)), format: format)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("x.\(format): at offset") && (text.contains("truncated") || text.contains("corrupt"))
        }
    }

    @Test(arguments: ["brotli", "lz4", "gzip"])
    func trailingBytesAreRefused(format: String) throws {
        let (tool, arguments) = Self.tools[format]!
        let packed = try Self.compressed(tool, arguments) + Array("garbage".utf8)
        #expect {
            try Self.decode(packed, format: format)
        } throws: { error in
            "\(error)".contains("after the end of the") || "\(error)".contains("corrupt")
        }
    }

    @Test(arguments: ["brotli", "lz4", "gzip"])
    func corruptDataFails(format: String) throws {
        let (tool, arguments) = Self.tools[format]!
        var packed = try Self.compressed(tool, arguments)
        for i in stride(from: 40, to: packed.count / 2, by: 97) { packed[i] ^= 0x5A }
        #expect(throws: FirmwareError.self) { try Self.decode(packed, format: format) }
    }
}
