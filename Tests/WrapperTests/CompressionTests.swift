import Compression
import DumpTestSupport
import Foundation
import Testing

@Suite struct CompressionTests {
    static func sample(_ kind: String, count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        switch kind {
        case "random": return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case "text": return Array(String(repeating: "ro.build.fingerprint=yardphone/gravel:14/UP1A/1:user/release-keys\n", count: count / 60 + 1).utf8.prefix(count))
        default: return [UInt8](repeating: 0, count: count)
        }
    }

    @Test(arguments: ["random", "text", "zeros"], [0, 1, 4095, 1 << 20, 3_000_001])
    func isalStreamsInflateWithZlib(kind: String, count: Int) throws {
        let input = Self.sample(kind, count: count)
        let compressed = try ZlibDeflater.compress(input)
        #expect(compressed.first == 0x78, "a zlib header")
        #expect(try ZlibInflater.inflate(compressed) == input)
        if kind == "random" && count > 4096 {
            #expect(compressed.count < input.count + input.count / 50, "incompressible data must not grow much")
        }
    }

    @Test func deflaterStreamsInChunksAndResets() throws {
        let input = Self.sample("text", count: 2_000_000)
        let d = ZlibDeflater(outputChunkSize: 4096)
        for _ in 0..<2 {
            d.reset()
            var out: [UInt8] = []
            for start in stride(from: 0, to: input.count, by: 100_000) {
                try input[start..<min(start + 100_000, input.count)].withUnsafeBytes { chunk in
                    try d.compress(chunk) { out.append(contentsOf: $0) }
                }
            }
            try d.finish { out.append(contentsOf: $0) }
            #expect(try ZlibInflater.inflate(out) == input)
        }
    }

    @Test func pythonZlibReadsIsalOutput() throws {
        let dir = try TemporaryDirectory("zlib")
        let input = Self.sample("text", count: 500_000)
        try Data(try ZlibDeflater.compress(input)).write(to: URL(fileURLWithPath: dir.file("z")))
        let out = try Tool.check("python3", ["-c", "import zlib,sys,hashlib; d=zlib.decompress(open(sys.argv[1],'rb').read()); print(len(d), hashlib.sha1(d).hexdigest())", dir.file("z")])
        let expected = try Tool.run("python3", ["-c", "import hashlib,sys; d=sys.stdin.buffer.read(); print(len(d), hashlib.sha1(d).hexdigest())"], input: Data(input))
        #expect(out.stdout == expected.stdout)
    }

    @Test func truncatedOrCorruptStreamsAreErrors() throws {
        let compressed = try ZlibDeflater.compress(Self.sample("text", count: 100_000))
        #expect(throws: CompressionError.self) { try ZlibInflater.inflate(Array(compressed.prefix(compressed.count / 2))) }
        var corrupt = compressed
        corrupt[corrupt.count - 2] ^= 0xFF
        #expect(throws: CompressionError.self) { try ZlibInflater.inflate(corrupt) }
    }

    @Test func crc32KnownAnswer() {
        var crc = CRC32()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xCBF4_3926)
    }
}
