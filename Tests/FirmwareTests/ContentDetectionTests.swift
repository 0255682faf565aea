import DumpCore
import DumpTestSupport
import Foundation
import Testing

@Suite struct ContentDetectionTests {
    @Test func realImagesAreDetectedByContent() throws {
        let dir = try TemporaryDirectory("detect")
        try FileManager.default.createDirectory(atPath: dir.file("src/etc"), withIntermediateDirectories: true)
        try Data("x=1\n".utf8).write(to: URL(fileURLWithPath: dir.file("src/etc/build.prop")))
        // Names that lie: the content decides.
        try Tool.check("mke2fs", ["-q", "-t", "ext4", "-d", dir.file("src"), dir.file("vendor.bin"), "4M"])
        try Tool.check("mkfs.erofs", ["-zlz4hc", dir.file("system.ext4"), dir.file("src")])
        try Tool.check("img2simg", [dir.file("vendor.bin"), dir.file("looks-raw.img")])
        for (file, kind) in [("vendor.bin", ContentKind.ext4), ("system.ext4", .erofs), ("looks-raw.img", .androidSparse)] {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir.file(file)))
            let header = try handle.read(upToCount: ContentKind.headerSize) ?? Data()
            #expect(ContentKind.detect([UInt8](header)) == kind, "\(file)")
        }
        #expect(ContentKind.detect(Array("PK\u{3}\u{4}rest".utf8)) == .zip)
        #expect(ContentKind.detect([UInt8](repeating: 0, count: 10)) == .other)
        #expect(ContentKind.detect([]) == .other)
    }

    @Test(arguments: [
        ("system.img", "system"), ("dir/vendor.img", "vendor"), ("product.img.ext4", "product"),
        ("odm.bin", "odm"), ("my_manifest.img", "my_manifest"), (".img", nil), ("../x", "x"), ("a b.img", nil),
    ] as [(String, String?)])
    func partitionNames(member: String, expected: String?) {
        #expect(PartitionName.from(memberPath: RepoPath(member)) == expected)
    }
}
