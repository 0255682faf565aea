import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

/// Block OTAs written by fixtures/formats/blockota.py from an ext4 image, rebuilt by BlockImageWriter.
@Suite struct BlockImageWriterTests {
    /// Makes an ext4 image with data, zero runs and a zero tail, and the block OTA `variant` of it.
    static func fixture(_ dir: TemporaryDirectory, version: Int = 4, variant: String = "full") throws -> Data {
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try Data("ro.build.id=OTA1\n".utf8).write(to: URL(fileURLWithPath: root + "/etc/build.prop"))
        try Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).write(to: URL(fileURLWithPath: root + "/blob"))
        try Tool.check("mke2fs", ["-q", "-t", "ext4", "-b", "4096", "-O", "^has_journal", "-d", root, dir.file("system.img"), "2M"])
        try Tool.check("python3", [
            TestPaths.fixture("formats/blockota.py"), dir.file("system.img"), dir.path, "--version", String(version), "--variant", variant,
        ])
        return try Data(contentsOf: URL(fileURLWithPath: dir.file("system.img")))
    }

    static func rebuild(_ dir: TemporaryDirectory) throws -> Data {
        let text = try Data(contentsOf: URL(fileURLWithPath: dir.file("system.transfer.list")))
        let list = try TransferList.read(Array(text), file: "system.transfer.list")
        var source = try FileSource(path: dir.file("system.new.dat"))
        let fd = open(dir.file("out.img"), O_RDWR | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let size = try BlockImageWriter.write(list, newData: &source, to: fd, origin: "system.new.dat")
        let out = try Data(contentsOf: URL(fileURLWithPath: dir.file("out.img")))
        #expect(UInt64(out.count) == size)
        return out
    }

    @Test(arguments: [1, 2, 3, 4])
    func rebuildsTheImageByteForByte(version: Int) throws {
        let dir = try TemporaryDirectory("blockota")
        let image = try Self.fixture(dir, version: version)
        #expect(try Self.rebuild(dir) == image)
    }

    @Test func imageEndsAtTheLastRange() throws {
        // sdat2img's rule: the image is max end block × 4096; uncovered trailing zeros are not there.
        let dir = try TemporaryDirectory("blockota")
        let image = try Self.fixture(dir, variant: "short-tail")
        let out = try Self.rebuild(dir)
        #expect(out.count < image.count)
        #expect(out == image.prefix(out.count))
        #expect(image.dropFirst(out.count).allSatisfy { $0 == 0 })
    }

    @Test(arguments: [
        ("truncated", "new.dat ends at byte"),
        ("trailing", "has data after the"),
    ])
    func wrongNewDataLengthFails(variant: String, fragment: String) throws {
        let dir = try TemporaryDirectory("blockota")
        _ = try Self.fixture(dir, variant: variant)
        let error = #expect(throws: FirmwareError.self) { try Self.rebuild(dir) }
        #expect(error?.file == "system.new.dat")
        #expect(error?.offset != nil)
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("incremental", "line 6: incremental block OTA: it uses `stash`, which needs the source image"),
        ("odd-count", "odd or empty count of numbers (3)"),
        ("past-2^32", "invalid block number `4294967297`"),
        ("huge-total", "line 2: invalid total block count"),
    ])
    func hostileListsFail(variant: String, fragment: String) throws {
        let dir = try TemporaryDirectory("blockota")
        _ = try Self.fixture(dir, variant: variant)
        let error = #expect(throws: FirmwareError.self) { try Self.rebuild(dir) }
        #expect(error?.file == "system.transfer.list")
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func zeroOverWrittenBlocksReadsZero() throws {
        // A `zero` after a `new` over the same blocks wins, as applying the list in order would.
        let dir = try TemporaryDirectory("blockota")
        let list = try TransferList.read(Array("4\n3\n0\n0\nnew 2,0,2\nzero 2,1,3\n".utf8), file: "l")
        try Data(repeating: 0xAB, count: 8192).write(to: URL(fileURLWithPath: dir.file("new.dat")))
        var source = try FileSource(path: dir.file("new.dat"))
        let fd = open(dir.file("out.img"), O_RDWR | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        #expect(try BlockImageWriter.write(list, newData: &source, to: fd, origin: "new.dat") == 3 * 4096)
        let out = try Data(contentsOf: URL(fileURLWithPath: dir.file("out.img")))
        #expect(out == Data(repeating: 0xAB, count: 4096) + Data(count: 8192))
    }
}
