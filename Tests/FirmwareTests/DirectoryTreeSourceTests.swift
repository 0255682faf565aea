import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Testing

@Suite struct DirectoryTreeSourceTests {
    @Test func listsEveryKindOfEntryWithoutFollowingSymlinks() throws {
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
        _ = write(fd, "x", 1)
        close(fd)

        let source = DirectoryTreeSource(root: root)
        let (files, skipped) = try source.listFiles()
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path.description, $0) })
        #expect(byPath["bin/run"]?.kind == .regular(executable: true))
        #expect(byPath["bin/deep/a/b/c/empty"]?.size == 0)
        #expect(byPath["passwd"]?.kind == .symlink(target: Array("/etc/passwd".utf8)))
        #expect(byPath["bin/ls"]?.kind == .symlink(target: Array("run".utf8)))
        #expect(skipped == ["fifo"])
        #expect(files.count == 5)
        let raw = try #require(files.first { $0.path.bytes == rawName })
        var reader = try source.openFile(raw)
        var buffer = [UInt8](repeating: 0, count: 10)
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == 1)
    }
}
