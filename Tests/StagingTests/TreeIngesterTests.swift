import DumpCore
import DumpTestSupport
import Foundation
import Staging
import Testing

/// An in-memory tree; `lie` makes one file shorter than its listed size.
struct MemoryTree: FileTreeSource {
    var contents: [String: [UInt8]]
    var links: [String: String] = [:]
    var lie: String?

    func listFiles() throws -> (files: [TreeFile], skipped: [String]) {
        var files = contents.keys.sorted().enumerated().map { index, path in
            TreeFile(path: RepoPath(path), kind: .regular(executable: path.hasSuffix(".sh")), size: UInt64(contents[path]!.count), token: UInt64(index))
        }
        files += links.map { TreeFile(path: RepoPath($0.key), kind: .symlink(target: Array($0.value.utf8)), size: UInt64($0.value.utf8.count), token: 0) }
        return (files, ["dev/null"])
    }

    func openFile(_ file: TreeFile) throws -> any ByteSource {
        var bytes = contents[file.path.description]!
        if file.path.description == lie { bytes.removeLast() }
        return BytesSource(bytes: bytes)
    }
}

@Suite struct TreeIngesterTests {
    static func tree() -> MemoryTree {
        var contents: [String: [UInt8]] = [:]
        for i in 0..<500 { contents["lib/lib\(i).so"] = Array("library \(i % 50)\n".utf8) }
        contents["bin/run.sh"] = Array("#!/bin/sh\n".utf8)
        contents["big.bin"] = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }
        return MemoryTree(contents: contents, links: ["bin/ls": "toybox", "etc": "/system/etc"])
    }

    @Test func ingestsEveryFileOnceUnderThePrefix() throws {
        let dir = try TemporaryDirectory("tree")
        let store = try StagingStore(root: dir.file("store"))
        let result = try TreeIngester(store: store, threads: 3).ingest(Self.tree(), prefix: RepoPath("system"))
        #expect(result.entries.count == 504)
        #expect(result.newObjects == 54, "50 distinct libraries, run.sh, big.bin and two link targets")
        #expect(result.reusedObjects == 450)
        #expect(result.skipped == ["dev/null"])
        let byPath = Dictionary(uniqueKeysWithValues: result.entries.map { ($0.path.description, $0) })
        #expect(byPath["system/bin/run.sh"]?.mode == .executable)
        #expect(byPath["system/etc"]?.mode == .symlink)
        #expect(try store.read(try #require(byPath["system/etc"]).id) == Array("/system/etc".utf8))
        #expect(try store.read(try #require(byPath["system/big.bin"]).id) == Self.tree().contents["big.bin"])
        let again = try TreeIngester(store: store, threads: 2).ingest(Self.tree(), prefix: RepoPath("system"))
        #expect(again.newObjects == 0)
    }

    @Test func aFileShorterThanListedFailsTheIngest() throws {
        let dir = try TemporaryDirectory("tree")
        let store = try StagingStore(root: dir.file("store"))
        var tree = Self.tree()
        tree.lie = "big.bin"
        let error = #expect(throws: StagingError.self) { _ = try TreeIngester(store: store).ingest(tree, prefix: RepoPath("system")) }
        #expect(error?.description.contains("system/big.bin") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("store/tmp")).isEmpty)
    }
}

/// A tree where every name is a hard link to one big inode; counts how often content is opened.
struct HardLinkTree: FileTreeSource {
    let opens: Counter
    let links: Int

    func listFiles() throws -> (files: [TreeFile], skipped: [String]) {
        ((0..<links).map { TreeFile(path: RepoPath("link-\($0)"), kind: .regular(executable: false), size: 1_000_000, token: 42) }, [])
    }

    func openFile(_ file: TreeFile) throws -> any ByteSource {
        opens.increment()
        return BytesSource(bytes: [UInt8](repeating: 7, count: 1_000_000))
    }
}

@Suite struct HardLinkTests {
    @Test func hardLinksAreReadOnce() throws {
        let dir = try TemporaryDirectory("tree")
        let store = try StagingStore(root: dir.file("store"))
        let opens = Counter()
        let result = try TreeIngester(store: store, threads: 2).ingest(HardLinkTree(opens: opens, links: 3000), prefix: RepoPath("system"))
        #expect(result.entries.count == 3000)
        #expect(Set(result.entries.map(\.id)).count == 1)
        #expect(opens.value == 2, "hashed once, compressed once")
    }
}
