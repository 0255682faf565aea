import Archive
import DumpTestSupport
import Foundation
import Testing

@Suite struct ArchiveTests {
    static let makeZip = """
        import zipfile, sys
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('dir/', '')
            z.writestr(zipfile.ZipInfo('stored.txt'), b'stored bytes')
            z.writestr('deflated.bin', bytes(range(256)) * 1000, compress_type=zipfile.ZIP_DEFLATED)
            link = zipfile.ZipInfo('link')
            link.external_attr = (0o120777 << 16)
            link.create_system = 3
            z.writestr(link, 'stored.txt')
            exe = zipfile.ZipInfo('run.sh')
            exe.external_attr = (0o100755 << 16)
            exe.create_system = 3
            z.writestr(exe, '#!/bin/sh\\n')
        """

    @Test func readsMembersStreaming() throws {
        let dir = try TemporaryDirectory("archive")
        try Tool.check("python3", ["-c", Self.makeZip, dir.file("a.zip")])
        let reader = try ArchiveReader(path: dir.file("a.zip"))
        var seen: [String: (ArchiveEntry, [UInt8])] = [:]
        while let entry = try reader.nextEntry() {
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1000)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if n == 0 { break }
                data += buffer[0..<n]
            }
            seen[entry.displayPath] = (entry, data)
        }
        #expect(seen["dir/"]?.0.kind == .directory)
        #expect(seen["stored.txt"]?.1 == Array("stored bytes".utf8))
        #expect(seen["deflated.bin"]?.1 == Array((0..<1000).flatMap { _ in (0...255).map { UInt8($0) } }))
        #expect(seen["deflated.bin"]?.0.size == 256_000)
        #expect(seen["link"]?.0.kind == .symlink(target: Array("stored.txt".utf8)))
        #expect(seen["run.sh"]?.0.permissions == 0o755)
    }

    @Test func truncatedZipIsAnErrorNamingTheFile() throws {
        let dir = try TemporaryDirectory("archive")
        try Tool.check("python3", ["-c", Self.makeZip, dir.file("a.zip")])
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.zip")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir.file("cut.zip")))
        let error = #expect(throws: ArchiveError.self) {
            let reader = try ArchiveReader(path: dir.file("cut.zip"))
            while try reader.nextEntry() != nil {}
        }
        #expect(error?.description.contains("cut.zip") == true)
    }

    @Test func notAnArchiveIsAnError() throws {
        let dir = try TemporaryDirectory("archive")
        try Data(repeating: 0x41, count: 5000).write(to: URL(fileURLWithPath: dir.file("x.bin")))
        #expect(throws: ArchiveError.self) {
            let reader = try ArchiveReader(path: dir.file("x.bin"))
            while try reader.nextEntry() != nil {}
        }
    }
}
