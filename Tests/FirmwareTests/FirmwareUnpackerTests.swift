import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

/// Collects plain members in memory, and the raw bytes of every image (small images only).
struct CollectingSink: UnpackSink {
    var files: [String: [UInt8]] = [:]
    var modes: [String: FileMode] = [:]
    var links: [String: String] = [:]
    var images: [String: [UInt8]] = [:]

    mutating func image(_ image: PartitionImage) throws {
        let file = try image.open()
        images[image.name] = try file.bytes(at: 0, count: Int(file.size))
    }

    mutating func file(_ path: RepoPath, mode: FileMode, size: UInt64, source: inout some ByteSource) throws {
        files[path.description] = try source.readBytes(Int(size) + 1)
        modes[path.description] = mode
    }

    mutating func symlink(_ path: RepoPath, target: [UInt8]) throws {
        links[path.description] = String(decoding: target, as: UTF8.self)
    }
}

@Suite struct FirmwareUnpackerTests {
    /// Writes a zip with python's zipfile; `members` is python code run with `z` open.
    static func zip(_ path: String, _ members: String) throws {
        let script = "import zipfile, sys\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n" +
            members.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        try Tool.check("python3", ["-c", script, path])
    }

    static func ext4(_ path: String, dir: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(atPath: dir.file("tree/etc"), withIntermediateDirectories: true)
        try Data("ro.product.device=gravel\n".utf8).write(to: URL(fileURLWithPath: dir.file("tree/etc/build.prop")))
        try Tool.check("mke2fs", ["-q", "-t", "ext4", "-d", dir.file("tree"), path, "2M"])
    }

    @Test func imagesGoToTheWorkDirectoryAndOtherMembersToTheSink() throws {
        let dir = try TemporaryDirectory("unpack")
        try Self.ext4(dir.file("system.img"), dir: dir)
        try Tool.check("img2simg", [dir.file("system.img"), dir.file("product.img")])
        try Self.zip(dir.file("fw.zip"), """
            z.write(sys.argv[1].replace('fw.zip', 'system.img'), 'images/system.img')
            z.write(sys.argv[1].replace('fw.zip', 'product.img'), 'product.img')
            z.writestr('android-info.txt', 'require board=gravel\\n')
            i = zipfile.ZipInfo('flash_all.sh'); i.external_attr = 0o100755 << 16; i.create_system = 3
            z.writestr(i, '#!/bin/sh\\nfastboot flashall\\n')
            l = zipfile.ZipInfo('tools/flash'); l.external_attr = 0o120777 << 16; l.create_system = 3
            z.writestr(l, '../flash_all.sh')
            """)
        try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
        var sink = CollectingSink()
        let result = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("fw.zip"), into: &sink)
        #expect(result.images.map(\.name) == ["system", "product"])
        #expect(result.images.map(\.kind) == [.ext4, .ext4])
        #expect(result.images.map(\.wasSparse) == [false, true])
        #expect(sink.images["product"] == [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("system.img")))))
        #expect(sink.images["system"] == sink.images["product"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("work")).isEmpty, "work files go with their images")
        #expect(sink.files["android-info.txt"] == Array("require board=gravel\n".utf8))
        #expect(sink.modes["flash_all.sh"] == .executable)
        #expect(sink.modes["android-info.txt"] == .regular)
        #expect(sink.links["tools/flash"] == "../flash_all.sh")
    }

    @Test(arguments: [
        ("z.writestr('../evil.txt', 'x')", "'..' component"),
        ("z.writestr('/tmp/evil.txt', 'x')", "absolute path"),
        ("z.writestr('a/../../evil.txt', 'x')", "'..' component"),
        ("z.writestr('.git/config', 'x')", "'.git' component"),
        ("l = zipfile.ZipInfo('link'); l.external_attr = 0o120777 << 16; l.create_system = 3\nz.writestr(l, '/etc')", "points outside"),
        ("l = zipfile.ZipInfo('a/link'); l.external_attr = 0o120777 << 16; l.create_system = 3\nz.writestr(l, '../../x')", "points outside"),
        ("l = zipfile.ZipInfo('link'); l.external_attr = 0o120777 << 16; l.create_system = 3\nz.writestr(l, 'sub')\nz.writestr('link/passwd', 'x')", "goes through the symlink"),
    ])
    func escapingPathsFailNamingTheFileAndCause(members: String, cause: String) throws {
        let dir = try TemporaryDirectory("unpack")
        try Self.ext4(dir.file("system.img"), dir: dir)
        try Self.zip(dir.file("evil.zip"), "z.write(sys.argv[1].replace('evil.zip', 'system.img'), 'system.img')\n" + members)
        try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
        var sink = CollectingSink()
        let error = #expect(throws: FirmwareError.self) {
            _ = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("evil.zip"), into: &sink)
        }
        #expect(error?.file == "evil.zip")
        #expect(error?.description.contains(cause) == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/../evil.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.txt"))
    }

    @Test func zipWithoutImagesAndNonArchivesFailClearly() throws {
        let dir = try TemporaryDirectory("unpack")
        try Self.zip(dir.file("docs.zip"), "z.writestr('readme.txt', 'hello')")
        try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
        var sink = CollectingSink()
        let noImages = #expect(throws: FirmwareError.self) {
            _ = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("docs.zip"), into: &sink)
        }
        #expect(noImages?.description.contains("no partition image") == true)
        try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: dir.file("noise.bin")))
        let notArchive = #expect(throws: FirmwareError.self) {
            _ = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("noise.bin"), into: &sink)
        }
        #expect(notArchive?.file == "noise.bin")
    }

    @Test func bareImageIsOnePartition() throws {
        let dir = try TemporaryDirectory("unpack")
        try Self.ext4(dir.file("vendor.img"), dir: dir)
        try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
        var sink = CollectingSink()
        let result = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("vendor.img"), into: &sink)
        #expect(result.images.map(\.name) == ["vendor"])
    }

    @Test func twoImagesForOnePartitionFail() throws {
        let dir = try TemporaryDirectory("unpack")
        try Self.ext4(dir.file("system.img"), dir: dir)
        try Self.zip(dir.file("dup.zip"), """
            z.write(sys.argv[1].replace('dup.zip', 'system.img'), 'a/system.img')
            z.write(sys.argv[1].replace('dup.zip', 'system.img'), 'b/system.img')
            """)
        try FileManager.default.createDirectory(atPath: dir.file("work"), withIntermediateDirectories: true)
        var sink = CollectingSink()
        let error = #expect(throws: FirmwareError.self) {
            _ = try FirmwareUnpacker(imageDirectory: dir.file("work")).unpack(dir.file("dup.zip"), into: &sink)
        }
        #expect(error?.description.contains("two images for the partition system") == true)
    }
}
