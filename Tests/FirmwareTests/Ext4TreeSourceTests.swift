import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

/// The native ext4 reader against `debugfs rdump`, the reference, on images made by mke2fs with
/// different feature sets.
@Suite struct Ext4TreeSourceTests {
    /// A tree with what firmware holds: executables, symlinks (fast and slow), empty and sparse
    /// files, a big file, a large directory, deep paths, odd names.
    static func makeTree(_ root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/system/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/system/lib64", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/a/b/c/d/e/f/g/h/i/j", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/many", withIntermediateDirectories: true)
        try Data("#!/system/bin/sh\necho hi\n".utf8).write(to: URL(fileURLWithPath: root + "/system/bin/run"))
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/system/bin/run")
        try fm.setAttributes([.posixPermissions: 0o750], ofItemAtPath: root + "/system/lib64")
        try fm.createSymbolicLink(atPath: root + "/system/bin/ls", withDestinationPath: "run")
        try fm.createSymbolicLink(atPath: root + "/etc", withDestinationPath: "/system/etc")
        try fm.createSymbolicLink(atPath: root + "/long-link", withDestinationPath: "/" + String(repeating: "very-long-target/", count: 12) + "end")
        try Data().write(to: URL(fileURLWithPath: root + "/empty"))
        try Data("deep\n".utf8).write(to: URL(fileURLWithPath: root + "/a/b/c/d/e/f/g/h/i/j/file.txt"))
        try Data("ünï\n".utf8).write(to: URL(fileURLWithPath: root + "/système-名前.txt"))
        var big = Data(count: 5_000_000)
        big.withUnsafeMutableBytes { raw in
            for i in stride(from: 0, to: raw.count, by: 1) { raw[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
        }
        try big.write(to: URL(fileURLWithPath: root + "/system/lib64/libbig.so"))
        for i in 0..<700 {
            try Data("entry \(i)\n".utf8).write(to: URL(fileURLWithPath: root + "/many/file-with-a-longish-name-\(i).prop"))
        }
        // A sparse file: data, a hole, data.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/sparse.bin").creatingEmpty())
        try handle.write(contentsOf: Data(repeating: 0x41, count: 10_000))
        try handle.seek(toOffset: 3_000_000)
        try handle.write(contentsOf: Data(repeating: 0x42, count: 10_000))
        try handle.close()
    }

    static func compare(image: String, dir: TemporaryDirectory) throws {
        let reference = dir.file("reference")
        try FileManager.default.createDirectory(atPath: reference, withIntermediateDirectories: true)
        try Tool.check("debugfs", ["-c", "-R", "rdump / \(reference)", image])
        let expected = try snapshotTree(reference)
        let source = try Ext4TreeSource(path: image, origin: "test.img")
        let (files, _) = try source.listFiles()
        var actual: [String: String] = [:]
        for file in files {
            switch file.kind {
            case .symlink(let target): actual[file.path.description] = "link:" + String(decoding: target, as: UTF8.self)
            case .regular(let executable):
                var reader = try source.openFile(file)
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if n == 0 { break }
                    bytes += buffer[0..<n]
                }
                #expect(UInt64(bytes.count) == file.size)
                actual[file.path.description] = (executable ? "x:" : "f:") + fingerprint(bytes)
            }
        }
        #expect(actual.count == expected.count)
        for (path, value) in expected where actual[path] != value {
            Issue.record("\(path): native \(actual[path] ?? "missing"), debugfs \(value)")
        }
        for path in actual.keys where expected[path] == nil { Issue.record("\(path): only in the native listing") }
    }

    @Test(arguments: [
        ["-t", "ext4"],
        ["-t", "ext4", "-b", "1024"],
        ["-t", "ext4", "-O", "^64bit,^flex_bg"],
        ["-t", "ext4", "-O", "metadata_csum,64bit", "-b", "2048"],
        ["-t", "ext4", "-O", "meta_bg,^resize_inode"],
        ["-t", "ext4", "-I", "128"],
        ["-t", "ext3"],
        ["-t", "ext2"],
        ["-t", "ext2", "-b", "1024"],
    ])
    func matchesDebugfs(options: [String]) throws {
        let dir = try TemporaryDirectory("ext4")
        try Self.makeTree(dir.file("tree"))
        try Tool.check("mke2fs", ["-q", "-F"] + options + ["-d", dir.file("tree"), dir.file("fs.img"), "48M"])
        try Self.compare(image: dir.file("fs.img"), dir: dir)
    }

    @Test func indexedDirectoriesAreRead() throws {
        let dir = try TemporaryDirectory("ext4")
        try Self.makeTree(dir.file("tree"))
        try Tool.check("mke2fs", ["-q", "-F", "-t", "ext4", "-d", dir.file("tree"), dir.file("fs.img"), "48M"])
        // e2fsck -D rebuilds every directory as an htree index.
        _ = try Tool.run("e2fsck", ["-fyD", dir.file("fs.img")])
        let stats = try Tool.check("debugfs", ["-R", "stat /many", dir.file("fs.img")]).stdout
        let flags = stats.split(whereSeparator: \.isWhitespace).drop { $0 != "Flags:" }.dropFirst().first.flatMap { UInt32($0.dropFirst(2), radix: 16) }
        #expect((flags ?? 0) & 0x1000 != 0, "/many is an htree directory")
        try Self.compare(image: dir.file("fs.img"), dir: dir)
    }

    @Test func inlineDataIsReportedUnsupported() throws {
        let dir = try TemporaryDirectory("ext4")
        try FileManager.default.createDirectory(atPath: dir.file("tree"), withIntermediateDirectories: true)
        try Data("small\n".utf8).write(to: URL(fileURLWithPath: dir.file("tree/small.txt")))
        try Tool.check("mke2fs", ["-q", "-F", "-t", "ext4", "-O", "inline_data", "-d", dir.file("tree"), dir.file("fs.img"), "8M"])
        #expect(throws: Ext4Unsupported.self) { _ = try Ext4TreeSource(path: dir.file("fs.img"), origin: "fs.img") }
    }

    @Test func truncatedAndCorruptImagesFailWithTheImageName() throws {
        let dir = try TemporaryDirectory("ext4")
        try Self.makeTree(dir.file("tree"))
        try Tool.check("mke2fs", ["-q", "-F", "-t", "ext4", "-b", "4096", "-d", dir.file("tree"), dir.file("fs.img"), "48M"])
        let full = try Data(contentsOf: URL(fileURLWithPath: dir.file("fs.img")))
        try full.prefix(full.count / 3).write(to: URL(fileURLWithPath: dir.file("cut.img")))
        let cut = #expect(throws: FirmwareError.self) {
            let source = try Ext4TreeSource(path: dir.file("cut.img"), origin: "fw.zip:system.img")
            for file in try source.listFiles().files { var r = try source.openFile(file); _ = try r.readBytes(Int(file.size)) }
        }
        #expect(cut?.file == "fw.zip:system.img")
        // Damage the group descriptors (block 1): the reader must fail, not crash or escape.
        var broken = full
        for offset in stride(from: 4096, to: 8192, by: 4) { broken[offset] = 0xFF; broken[offset + 1] = 0xFF; broken[offset + 2] = 0xFF }
        try broken.write(to: URL(fileURLWithPath: dir.file("broken.img")))
        #expect(throws: FirmwareError.self) {
            let source = try Ext4TreeSource(path: dir.file("broken.img"), origin: "broken.img")
            _ = try source.listFiles()
        }
    }
}

/// path → "f:<hash>", "x:<hash>" or "link:<target>" for every file and symlink under `root`.
func snapshotTree(_ root: String) throws -> [String: String] {
    var out: [String: String] = [:]
    let fm = FileManager.default
    guard let walker = fm.enumerator(atPath: root) else { return out }
    while let relative = walker.nextObject() as? String {
        let full = root + "/" + relative
        let attributes = try fm.attributesOfItem(atPath: full)
        switch attributes[.type] as? FileAttributeType {
        case .typeSymbolicLink?: out[relative] = "link:" + (try fm.destinationOfSymbolicLink(atPath: full))
        case .typeRegular?:
            let executable = ((attributes[.posixPermissions] as? Int) ?? 0) & 0o111 != 0
            out[relative] = (executable ? "x:" : "f:") + fingerprint([UInt8](try Data(contentsOf: URL(fileURLWithPath: full))))
        default: break
        }
    }
    return out
}

func fingerprint(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16) + "/" + String(bytes.count)
}

extension URL {
    func creatingEmpty() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}

/// extraction.md §6 row 13: Samsung and other Android ext4 images share identical data blocks
/// between files (`e2fsdroid -s`, RO_COMPAT_SHARED_BLOCKS); loop-mounting was the only way the
/// old tools read them. The native reader must read both files.
@Suite struct Ext4SharedBlocksTests {
    @Test func filesSharingDataBlocksAreBothRead() throws {
        let dir = try TemporaryDirectory("shared")
        try FileManager.default.createDirectory(atPath: dir.file("tree/etc"), withIntermediateDirectories: true)
        let content = Data(repeating: 0x5A, count: 4096)
        try content.write(to: URL(fileURLWithPath: dir.file("tree/etc/a.bin")))
        try Data(repeating: 0x33, count: 4096).write(to: URL(fileURLWithPath: dir.file("tree/etc/b.bin")))
        let image = dir.file("shared.img")
        try Tool.check("mke2fs", ["-q", "-t", "ext4", "-b", "4096", "-O", "^has_journal,^metadata_csum", "-d", dir.file("tree"), image, "4M"])
        // Point b.bin's only extent at a.bin's block and mark the file system as sharing blocks,
        // as e2fsdroid does for identical blocks.
        func stat(_ path: String) throws -> String { try Tool.check("debugfs", ["-R", "stat \(path)", image]).stdout }
        func firstBlock(_ path: String) throws -> Int {
            let text = try stat(path)
            let extents = try #require(text.range(of: "(0):"))
            return Int(text[extents.upperBound...].prefix { $0.isNumber })!
        }
        let shared = try firstBlock("/etc/a.bin")
        let location = try Tool.check("debugfs", ["-R", "imap /etc/b.bin", image]).stdout
        // "Inode N is part of block group G\n\tlocated at block B, offset 0xO"
        let blockText = try #require(location.range(of: "located at block ")).upperBound
        let offsetText = try #require(location.range(of: "offset 0x")).upperBound
        let block = Int(location[blockText...].prefix { $0.isNumber })!
        let offset = Int(location[offsetText...].prefix { $0.isHexDigit }, radix: 16)!
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: image))
        try handle.seek(toOffset: UInt64(block * 4096 + offset + 0x28 + 20))
        try handle.write(contentsOf: withUnsafeBytes(of: UInt32(shared).littleEndian) { Data($0) })
        try handle.seek(toOffset: 1024 + 0x64)
        var roCompat = try #require(try handle.read(upToCount: 4)).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        roCompat |= 0x4000
        try handle.seek(toOffset: 1024 + 0x64)
        try handle.write(contentsOf: withUnsafeBytes(of: roCompat) { Data($0) })
        try handle.close()
        #expect(try firstBlock("/etc/b.bin") == shared, "b.bin now shares a.bin's block")

        let source = try Ext4TreeSource(path: image, origin: "shared.img")
        let files = try source.listFiles().files
        for name in ["etc/a.bin", "etc/b.bin"] {
            let file = try #require(files.first { $0.path.description == name })
            var reader = try source.openFile(file)
            #expect(try reader.readBytes(8192) == [UInt8](content), "\(name)")
        }
    }
}
