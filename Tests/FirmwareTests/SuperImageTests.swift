import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

/// Super images written by fixtures/formats/lp.py from an ext4 image (mke2fs -d) and a random one.
@Suite struct SuperImageTests {
    /// A work directory with `system.img` (ext4, 2 MiB) and `vendor.img` (random, 1 MiB).
    final class Images: Sendable {
        let dir: TemporaryDirectory
        let system: Data
        let vendor: Data

        init() throws {
            dir = try TemporaryDirectory("super")
            let root = dir.file("root")
            try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
            try Data("ro.build.id=LP1\n".utf8).write(to: URL(fileURLWithPath: root + "/etc/build.prop"))
            try Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: root + "/blob"))
            try Tool.check("mke2fs", ["-q", "-t", "ext4", "-b", "4096", "-O", "^has_journal", "-d", root, dir.file("system.img"), "2M"])
            system = try Data(contentsOf: URL(fileURLWithPath: dir.file("system.img")))
            vendor = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
            try vendor.write(to: URL(fileURLWithPath: dir.file("vendor.img")))
        }

        /// Writes variant `variant` and returns its path.
        func make(_ variant: String) throws -> String {
            let out = dir.file("super-\(variant).img")
            try Tool.check("python3", [
                TestPaths.fixture("formats/lp.py"), out, "--variant", variant,
                "--partition", "system=" + dir.file("system.img"), "--partition", "vendor=" + dir.file("vendor.img"),
            ])
            return out
        }
    }

    static func read(_ partition: LogicalPartition, from slice: FileSlice) throws -> Data {
        var out = Data()
        for extent in partition.extents {
            switch extent.source {
            case .data(let offset): out.append(contentsOf: try slice.bytes(at: offset, count: Int(extent.length)))
            case .zero: out.append(Data(count: Int(extent.length)))
            }
        }
        return out
    }

    static func partitions(_ path: String, slot: Int = 0) throws -> ([LogicalPartition], FileSlice) {
        let slice = try OpenFile(path: path).slice(origin: "super.img")
        return (try SuperImage.partitions(in: slice, slot: slot), slice)
    }

    @Test(arguments: ["plain", "ab", "vab", "wide-entries", "primary-geometry-bad", "primary-metadata-bad"])
    func partitionsReadBackByteForByte(variant: String) throws {
        let images = try Images()
        let (partitions, slice) = try Self.partitions(try images.make(variant))
        #expect(partitions.map(\.name) == ["system", "vendor"])
        #expect(partitions.map(\.size) == [UInt64(images.system.count), UInt64(images.vendor.count)])
        #expect(try Self.read(partitions[0], from: slice) == images.system)
        #expect(try Self.read(partitions[1], from: slice) == images.vendor)
    }

    @Test func multiExtentPartitionWithZeroExtent() throws {
        let images = try Images()
        let (partitions, slice) = try Self.partitions(try images.make("multi"))
        #expect(partitions.map(\.name) == ["system", "vendor"])
        #expect(partitions[0].extents.count == 4)
        #expect(partitions[0].extents.last == ImageExtent(length: 8192, source: .zero))
        #expect(try Self.read(partitions[0], from: slice) == images.system + Data(count: 8192))
        #expect(try Self.read(partitions[1], from: slice) == images.vendor)
    }

    @Test func abSlotOneHasNothingOfItsOwn() throws {
        let images = try Images()
        // Slot 1 of the A/B fixture holds the same metadata: `_a` has the data, `_b` is empty.
        let (partitions, _) = try Self.partitions(try images.make("ab"), slot: 1)
        #expect(partitions.map(\.name) == ["system", "vendor"])
        let error = #expect(throws: FirmwareError.self) { try Self.partitions(try images.make("ab"), slot: 2) }
        #expect(error?.cause.contains("slot 2 does not exist") == true)
    }

    @Test func superEmptyIsMetadataOnly() throws {
        let images = try Images()
        let path = try images.make("super-empty")
        let (partitions, _) = try Self.partitions(path)
        #expect(partitions.isEmpty)
        let header = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(!SuperImage.looksLikeSuper(Array(header)))
        #expect(SuperImage.looksLikeSuper(Array(try Data(contentsOf: URL(fileURLWithPath: try images.make("plain"))).prefix(4100))))
    }

    @Test(arguments: [
        ("bad-magic", "no geometry magic at 4096"),
        ("both-geometry-bad", "both LP geometry copies are invalid"),
        ("both-metadata-bad", "both copies of LP metadata slot 0 are invalid"),
        ("extent-outside", "outside the"),
        ("huge-count", "does not fit"),
        ("name-no-nul", "not NUL-terminated"),
        ("target-source", "partition system lives on block device 1; split (retrofit) supers are not supported"),
        ("truncated", "partition vendor: its 1048576-byte extent"),
        ("duplicate-name", "appears twice"),
    ])
    func hostileSupersFailClearly(variant: String, fragment: String) throws {
        let images = try Images()
        let path = try images.make(variant)
        let error = #expect(throws: FirmwareError.self) { try Self.partitions(path) }
        #expect(error?.file == "super.img")
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
        if variant != "duplicate-name" { #expect(error?.offset != nil) }
    }

    @Test func garbageIsNotASuper() throws {
        let dir = try TemporaryDirectory("super")
        for size in [0, 100, 5000, 20_000] {
            let path = dir.file("g\(size).img")
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: FirmwareError.self) { try Self.partitions(path) }
            #expect(error?.cause.contains("not an LP super image") == true)
        }
    }

    @Test func sliceInsideABiggerFile() throws {
        // A super stored uncompressed inside a zip is read in place: offsets are slice-relative.
        let images = try Images()
        let raw = try Data(contentsOf: URL(fileURLWithPath: try images.make("plain")))
        let path = images.dir.file("container.bin")
        try (Data(repeating: 0xEE, count: 12345) + raw + Data(repeating: 0xEE, count: 99)).write(to: URL(fileURLWithPath: path))
        let slice = try OpenFile(path: path).slice(origin: "fw.zip").subslice(at: 12345, length: UInt64(raw.count), origin: "fw.zip:super.img")
        let partitions = try SuperImage.partitions(in: slice)
        #expect(try Self.read(partitions[0], from: slice) == images.system)
        #expect(try Self.read(partitions[1], from: slice) == images.vendor)
    }

    @Test func paramsTextIsNotASuper() throws {
        // dumpyara #137: `super.img.params` matched a loose name rule and was fed to lpunpack.
        let dir = try TemporaryDirectory("super")
        let text = Data(("super_partition_size=9126805504\nsuper_partition_groups=main\n" + String(repeating: "#", count: 9000)).utf8)
        try text.write(to: URL(fileURLWithPath: dir.file("super.img.params")))
        #expect(!SuperImage.looksLikeSuper(Array(text)))
        let error = #expect(throws: FirmwareError.self) { try Self.partitions(dir.file("super.img.params")) }
        #expect(error?.cause == "not an LP super image: no geometry magic at 4096")
    }

    @Test func splitSparseSuperRejoinsForTheUnpacker() throws {
        // dumpyara #19 / #64 / Firmware_extractor #35: split supers must be joined first. The
        // fixture's `--wrap split` makes simg2simg pieces; simg2img joins them back.
        let images = try Images()
        let out = images.dir.file("split.img")
        try Tool.check("python3", [
            TestPaths.fixture("formats/lp.py"), out, "--variant", "ab", "--wrap", "split", "--split-size", "1048576",
            "--partition", "system=" + images.dir.file("system.img"), "--partition", "vendor=" + images.dir.file("vendor.img"),
        ])
        let pieces = try FileManager.default.contentsOfDirectory(atPath: images.dir.path).filter { $0.hasPrefix("split.img.") }.sorted {
            Int($0.split(separator: ".").last ?? "") ?? 0 < Int($1.split(separator: ".").last ?? "") ?? 0
        }
        #expect(pieces.count > 1)
        try Tool.check("simg2img", pieces.map(images.dir.file) + [images.dir.file("joined.img")])
        let (partitions, slice) = try Self.partitions(images.dir.file("joined.img"))
        #expect(try Self.read(partitions[0], from: slice) == images.system)
        #expect(try Self.read(partitions[1], from: slice) == images.vendor)
    }
}
