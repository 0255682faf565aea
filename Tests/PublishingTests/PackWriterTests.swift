import DumpCore
import DumpTestSupport
import Foundation
import Publishing
import Staging
import Testing

@Suite struct PackWriterTests {
    @Test func packFromStoredObjectsIsValidForGit() throws {
        let dir = try TemporaryDirectory("pack")
        let store = try StagingStore(root: dir.file("store"))
        let ingester = store.makeIngester()
        var blobs: [(id: ObjectID, size: UInt64)] = []
        var contents: [ObjectID: [UInt8]] = [:]
        for size in [0, 1, 15, 16, 127, 128, 4096, 70_000, 1_500_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 7919) ^ size) }
            let stored = try ingester.ingest(bytes: bytes)
            blobs.append((stored.id, stored.size))
            contents[stored.id] = bytes
        }
        try Tool.check("git", ["init", "-q", "--bare", dir.file("repo.git")])
        let name = try #require(try PackWriter(packDirectory: dir.file("repo.git/objects/pack")).write(blobs: blobs, from: store))
        let verify = try Tool.check("git", ["verify-pack", "-v", dir.file("repo.git/objects/pack/\(name).idx")]).stdout
        #expect(verify.contains("ok"))
        for (id, bytes) in contents {
            let out = try Tool.check("git", ["--git-dir", dir.file("repo.git"), "cat-file", "blob", id.hex])
            #expect([UInt8](out.stdoutBytes) == bytes)
        }
        try Tool.check("git", ["--git-dir", dir.file("repo.git"), "fsck", "--strict"])
        // index-pack recomputes the index from the pack alone: it must agree byte for byte.
        try Tool.check("git", ["index-pack", "-o", dir.file("check.idx"), dir.file("repo.git/objects/pack/\(name).pack")])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("check.idx"))) == Data(contentsOf: URL(fileURLWithPath: dir.file("repo.git/objects/pack/\(name).idx"))))
    }

    @Test func nothingToWriteWritesNothing() throws {
        let dir = try TemporaryDirectory("pack")
        let store = try StagingStore(root: dir.file("store"))
        #expect(try PackWriter(packDirectory: dir.path).write(blobs: [], from: store) == nil)
    }

    @Test func aMissingStoredObjectFailsAndLeavesNoPack() throws {
        let dir = try TemporaryDirectory("pack")
        let store = try StagingStore(root: dir.file("store"))
        let stored = try store.makeIngester().ingest(bytes: Array("present".utf8))
        let absent = try #require(ObjectID(hex: "ce013625030ba8dba906f756967f9e9ca394464a"))
        try FileManager.default.createDirectory(atPath: dir.file("pack"), withIntermediateDirectories: true)
        #expect(throws: (any Error).self) {
            _ = try PackWriter(packDirectory: dir.file("pack")).write(blobs: [(stored.id, 7), (absent, 6)], from: store)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("pack")).isEmpty)
    }
}
