import DumpCore
import DumpTestSupport
@testable import Firmware
import Foundation
import Testing

/// The fast zip reader against what Python's zipfile wrote, for every layout firmware zips use.
@Suite struct ZipMembersTests {
    static let writer = """
        import zipfile, sys, os, io, random
        random.seed(7)
        path, mode = sys.argv[1], sys.argv[2]
        blob = bytes(random.getrandbits(8) for _ in range(300_000)) + b'text ' * 200_000
        members = {'stored.bin': (blob, zipfile.ZIP_STORED), 'deflated.bin': (blob, zipfile.ZIP_DEFLATED),
                   'empty.txt': (b'', zipfile.ZIP_DEFLATED), 'dir/small.txt': (b'hello\\n', zipfile.ZIP_DEFLATED)}
        if mode == 'bzip2': members['bz.bin'] = (blob, zipfile.ZIP_BZIP2)
        if mode == 'stream':
            # Written to an unseekable stream: sizes and CRCs go into data descriptors after the data.
            class Sink(io.RawIOBase):
                def __init__(self, f): self.f = f
                def writable(self): return True
                def write(self, b): return self.f.write(b)
            with open(path, 'wb') as f, zipfile.ZipFile(Sink(f), 'w') as z:
                for name, (data, method) in members.items():
                    with z.open(zipfile.ZipInfo(name), 'w') as m: m.write(data)
        else:
            with zipfile.ZipFile(path, 'w') as z:
                for name, (data, method) in members.items():
                    info = zipfile.ZipInfo(name); info.compress_type = method
                    with z.open(info, 'w', force_zip64=(mode == 'zip64')) as m: m.write(data)
                z.comment = b'a trailing comment' * 10
        """

    func read(_ path: String) throws -> [String: [UInt8]] {
        var members = try ZipMembers(slice: try OpenFile(path: path).slice(origin: "t.zip"))
        var out: [String: [UInt8]] = [:]
        while let header = try members.next() {
            guard header.kind == .regular else { continue }
            var source = try members.openCurrent(origin: "t.zip")
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 77_777)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                bytes += buffer[0..<n]
            }
            #expect(UInt64(bytes.count) == header.size)
            out[String(decoding: header.path, as: UTF8.self)] = bytes
        }
        return out
    }

    func expected(_ path: String) throws -> [String: [UInt8]] {
        let listing = try Tool.check("python3", ["-c", """
            import zipfile, sys, hashlib
            for i in zipfile.ZipFile(sys.argv[1]).infolist():
                if not i.is_dir(): print(i.filename, hashlib.sha1(zipfile.ZipFile(sys.argv[1]).read(i)).hexdigest())
            """, path]).stdout
        var out: [String: [UInt8]] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ")
            out[String(parts[0])] = Array(parts[1].utf8)
        }
        return out
    }

    @Test(arguments: ["plain", "zip64", "stream"])
    func readsWhatPythonWrote(mode: String) throws {
        let dir = try TemporaryDirectory("zip")
        try Tool.check("python3", ["-c", Self.writer, dir.file("t.zip"), mode])
        let actual = try read(dir.file("t.zip"))
        let reference = try expected(dir.file("t.zip"))
        #expect(Set(actual.keys) == Set(reference.keys))
        for (name, content) in actual {
            let sha = try Tool.run("python3", ["-c", "import sys,hashlib; print(hashlib.sha1(sys.stdin.buffer.read()).hexdigest())"], input: Data(content)).stdout
            #expect(Array(sha.trimmingCharacters(in: .whitespacesAndNewlines).utf8) == reference[name], "\(name)")
        }
    }

    @Test func otherMethodsAreLeftToLibarchive() throws {
        let dir = try TemporaryDirectory("zip")
        try Tool.check("python3", ["-c", Self.writer, dir.file("t.zip"), "bzip2"])
        #expect(throws: ZipNotHandled.self) { _ = try read(dir.file("t.zip")) }
    }

    @Test func corruptDataFailsWithTheMemberAndOffset() throws {
        let dir = try TemporaryDirectory("zip")
        try Tool.check("python3", ["-c", Self.writer, dir.file("t.zip"), "plain"])
        var data = try Data(contentsOf: URL(fileURLWithPath: dir.file("t.zip")))
        // Flip a byte in the middle of the first (stored) member's data: the CRC must catch it.
        data[200_000] ^= 0x55
        try data.write(to: URL(fileURLWithPath: dir.file("bad.zip")))
        let error = #expect(throws: FirmwareError.self) { _ = try read(dir.file("bad.zip")) }
        #expect(error?.cause.contains("CRC mismatch") == true)
        #expect(error?.offset != nil)
        // A cut zip has no central directory.
        try data.prefix(data.count - 200).write(to: URL(fileURLWithPath: dir.file("cut.zip")))
        let cut = #expect(throws: FirmwareError.self) { _ = try read(dir.file("cut.zip")) }
        #expect(cut?.cause.contains("truncated or corrupt zip") == true)
    }

    /// Zips whose layout two readers could read differently go to libarchive, never half-read.
    @Test(arguments: [
        // The end record counts fewer entries than the directory holds.
        "d = bytearray(z); e = d.rfind(b'PK\\x05\\x06'); d[e+8:e+12] = struct.pack('<HH', 1, 1); z = bytes(d)",
        // A zip64 locator whose record offset overflows.
        "e = z.rfind(b'PK\\x05\\x06'); z = z[:e] + struct.pack('<IIQI', 0x07064b50, 0, 2**64 - 10, 1) + z[e:e+8] + struct.pack('<HHII', 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + z[e+20:]",
        // Self-extractor style: data before the zip, offsets relative to the zip.
        "z = b'#!/bin/sh\\nexit 0\\n' * 10 + z",
    ])
    func ambiguousLayoutsAreLeftToLibarchive(mutation: String) throws {
        let dir = try TemporaryDirectory("zip")
        try Tool.check("python3", ["-c", """
            import zipfile, struct, sys
            with zipfile.ZipFile(sys.argv[1], 'w') as f:
                f.writestr('a.txt', 'first\\n' * 100); f.writestr('b.txt', 'second\\n' * 100)
            z = open(sys.argv[1], 'rb').read()
            \(mutation)
            open(sys.argv[1], 'wb').write(z)
            """, dir.file("t.zip")])
        #expect(throws: ZipNotHandled.self) { _ = try read(dir.file("t.zip")) }
    }

    /// Two directory entries for one local header (the overlap bomb's shape): libarchive would
    /// keep one member and drop the other without a word, so this is an error naming both.
    @Test func membersSharingDataAreRefused() throws {
        let dir = try TemporaryDirectory("zip")
        try Tool.check("python3", ["-c", """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], 'w') as f:
                f.writestr('a.txt', 'first\\n' * 100); f.writestr('b.txt', 'second\\n' * 100)
            d = bytearray(open(sys.argv[1], 'rb').read())
            c = d.find(b'PK\\x01\\x02'); n = d.find(b'PK\\x01\\x02', c + 4); d[n+42:n+46] = d[c+42:c+46]
            open(sys.argv[1], 'wb').write(d)
            """, dir.file("t.zip")])
        #expect {
            _ = try read(dir.file("t.zip"))
        } throws: { error in
            "\(error)".contains("members a.txt and b.txt share data")
        }
    }
}
