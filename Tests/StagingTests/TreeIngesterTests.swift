import DumpCore
import DumpTestSupport
import Foundation
import Staging
import Testing

@Suite struct TreeIngesterTests {
    @Test func readsEveryKindOfEntryWithoutFollowingSymlinks() throws {
        let dir = try TemporaryDirectory("tree")
        let root = dir.file("tree")
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/bin/deep/a/b/c", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/empty-dir", withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: root + "/bin/run"))
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/bin/run")
        try Data().write(to: URL(fileURLWithPath: root + "/bin/deep/a/b/c/empty"))
        try fm.createSymbolicLink(atPath: root + "/passwd", withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: root + "/bin/ls", withDestinationPath: "run")
        try Tool.check("mkfifo", [root + "/fifo"])
        // A name that is not valid UTF-8 must survive byte for byte.
        let rawName: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
        let fd = (Array(root.utf8) + Array("/".utf8) + rawName + [0]).withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)

        let store = try StagingStore(root: dir.file("store"))
        let result = try TreeIngester(store: store, threads: 2).ingest(directory: root, prefix: RepoPath("system"))
        let byPath = Dictionary(uniqueKeysWithValues: result.entries.map { ($0.path.description, $0) })
        #expect(byPath["system/bin/run"]?.mode == .executable)
        #expect(byPath["system/bin/deep/a/b/c/empty"]?.size == 0)
        #expect(byPath["system/passwd"]?.mode == .symlink)
        #expect(try store.read(try #require(byPath["system/passwd"]).id) == Array("/etc/passwd".utf8))
        #expect(try store.read(try #require(byPath["system/bin/ls"]).id) == Array("run".utf8))
        #expect(result.entries.contains { $0.path.bytes == Array("system/".utf8) + rawName })
        #expect(result.skipped == ["fifo"])
        #expect(result.entries.count == 5)
    }
}
