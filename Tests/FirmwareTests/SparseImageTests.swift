import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

@Suite struct SparseImageTests {
    /// A raw image with data, long zero runs (DONT_CARE or FILL in the sparse form) and a repeated pattern (FILL).
    static func makeRaw(at path: String, blocks: Int) throws {
        var data = Data(count: blocks * 4096)
        data.withUnsafeMutableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for block in 0..<blocks where block % 5 == 0 || block % 7 == 0 {
                for i in 0..<4096 { bytes[block * 4096 + i] = UInt8(truncatingIfNeeded: block &* 131 &+ i &* 7) }
            }
            for block in stride(from: 3, to: blocks, by: 11) where block % 5 != 0 && block % 7 != 0 {
                for i in 0..<4096 { bytes[block * 4096 + i] = [0xDE, 0xAD, 0xBE, 0xEF][i % 4] }
            }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    @Test func expandsWhatImg2simgWrites() throws {
        let dir = try TemporaryDirectory("sparse")
        try Self.makeRaw(at: dir.file("raw.img"), blocks: 700)
        try Tool.check("img2simg", [dir.file("raw.img"), dir.file("sparse.img")])
        var source = try FileSource(path: dir.file("sparse.img"))
        let fd = open(dir.file("out.img"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let header = try SparseImage.expand(source: &source, into: fd, file: "sparse.img")
        #expect(header.blockSize == 4096)
        #expect(header.totalBlocks == 700)
        let expected = try Data(contentsOf: URL(fileURLWithPath: dir.file("raw.img")))
        let actual = try Data(contentsOf: URL(fileURLWithPath: dir.file("out.img")))
        #expect(actual == expected)
        // And simg2img, the reference tool, agrees.
        try Tool.check("simg2img", [dir.file("sparse.img"), dir.file("ref.img")])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("ref.img"))) == actual)
    }

    @Test(arguments: [100, 5000, 20_000])
    func truncatedSparseFailsWithOffset(cutAt: Int) throws {
        let dir = try TemporaryDirectory("sparse")
        try Self.makeRaw(at: dir.file("raw.img"), blocks: 64)
        try Tool.check("img2simg", [dir.file("raw.img"), dir.file("sparse.img")])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("sparse.img")))
        try bytes.prefix(cutAt).write(to: URL(fileURLWithPath: dir.file("cut.img")))
        var source = try FileSource(path: dir.file("cut.img"))
        let fd = open(dir.file("out.img"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let error = #expect(throws: FirmwareError.self) { try SparseImage.expand(source: &source, into: fd, file: "cut.img") }
        #expect(error?.file == "cut.img")
        #expect(error?.offset != nil)
        #expect(error?.cause.contains("truncated") == true)
    }

    @Test func hostileHeadersAreRejected() throws {
        func header(blockSize: UInt32, blocks: UInt32, chunks: UInt32) -> [UInt8] {
            func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
            return le32(0xED26_FF3A) + [1, 0, 0, 0, 28, 0, 12, 0] + le32(blockSize) + le32(blocks) + le32(chunks) + le32(0)
        }
        #expect(throws: FirmwareError.self) { try SparseImage.parseHeader(header(blockSize: 3, blocks: 1, chunks: 1), file: "x") }
        // A chunk that claims more blocks than the image has.
        let chunk: [UInt8] = [0xC1, 0xCA, 0, 0, 0xFF, 0xFF, 0, 0, 12, 0, 0, 0]
        let dir = try TemporaryDirectory("sparse")
        try Data(header(blockSize: 4096, blocks: 10, chunks: 1) + chunk).write(to: URL(fileURLWithPath: dir.file("h.img")))
        var source = try FileSource(path: dir.file("h.img"))
        let fd = open(dir.file("out.img"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let error = #expect(throws: FirmwareError.self) { try SparseImage.expand(source: &source, into: fd, file: "h.img") }
        #expect(error?.cause.contains("runs past") == true)
        #expect(error?.offset == 28)
    }
}
