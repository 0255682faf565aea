import DumpTestSupport
import Foundation
import Testing

/// Regression tests from an adversarial review: each input once crashed dumpyard, escaped its
/// work directory or hung it. Built here with the real tools plus small patches.
@Suite struct HostileInputTests {
    static let props = "ro.product.device=gravel\nro.product.brand=yardphone\nro.build.description=gravel-user 14 X 1 release-keys\n"

    /// Runs a python snippet with `d` (the test directory) and helpers to patch and zip files.
    static func python(_ body: String, in dir: TemporaryDirectory) throws {
        let prelude = """
            import os, struct, subprocess, sys, zipfile
            d = sys.argv[1]
            def sh(c): subprocess.run(c, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            def patch(path, offset, data):
                with open(path, 'r+b') as f: f.seek(offset); f.write(data)
            def read(path, offset, n):
                with open(path, 'rb') as f: f.seek(offset); return f.read(n)
            def tree(root, files):
                for name, content in files.items():
                    p = os.path.join(root, name); os.makedirs(os.path.dirname(p), exist_ok=True)
                    open(p, 'wb').write(content if isinstance(content, bytes) else content.encode())
                return root
            def zipit(path, members):
                with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
                    for name, src in members: z.write(src, name)
            def crc32c(data, crc=0xFFFFFFFF):
                for b in data:
                    crc ^= b
                    for _ in range(8): crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
                return crc
            props = \(Self.props.debugDescription)

            """
        try Tool.check("python3", ["-c", prelude + body, dir.path])
    }

    func dump(_ firmware: String, in dir: TemporaryDirectory) throws -> ToolOutput {
        try Tool.run(TestPaths.dumpyardBinary, ["dump", firmware, "--out", dir.file("out")], environment: ["DUMPYARD_HOME": dir.file("home")])
    }

    func expectCleanFailure(_ run: ToolOutput, naming file: String, dir: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        let last = run.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("dumpyard: ") && last.contains(file), "\(last)", sourceLocation: sourceLocation)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.file("home/work"))) ?? []).isEmpty, sourceLocation: sourceLocation)
    }

    @Test func erofsNamesCannotEscapeTheSandbox() throws {
        let dir = try TemporaryDirectory("hostile")
        let canary = dir.file("canary")
        try FileManager.default.createDirectory(atPath: canary, withIntermediateDirectories: true)
        try Self.python("""
            payload = (b'../' * 40 + (d + '/canary/pwned').lstrip('/').encode())
            placeholder = b'A' * len(payload)
            tree(d + '/v', {'build.prop': props, placeholder.decode(): 'escaped\\n'})
            sh(f'mkfs.erofs -T 1700000000 --all-root {d}/vendor.img {d}/v')
            data = open(d + '/vendor.img', 'rb').read()
            at = data.find(placeholder)
            patch(d + '/vendor.img', at, payload)
            sb = bytearray(read(d + '/vendor.img', 1024, 4096 - 1024)); sb[4:8] = b'\\0\\0\\0\\0'
            if struct.unpack_from('<I', sb, 8)[0] & 1: patch(d + '/vendor.img', 1028, struct.pack('<I', crc32c(bytes(sb))))
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -d {d}/s {d}/system.img 4M')
            zipit(d + '/fw.zip', [('system.img', d + '/system.img'), ('vendor.img', d + '/vendor.img')])
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        #expect(!FileManager.default.fileExists(atPath: canary + "/pwned"), "a name in the image wrote outside the work directory")
        expectCleanFailure(run, naming: "vendor.img", dir: dir)
    }

    @Test func ext4ImagesTheNativeReaderCannotReadFailWithoutTheDebugfsFallback() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -O inline_data -d {d}/s {d}/system.img 4M')
            zipit(d + '/fw.zip', [('system.img', d + '/system.img')])
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        expectCleanFailure(run, naming: "system.img", dir: dir)
        #expect(run.stderr.contains("cannot read"))
    }

    @Test func superblockArithmeticOverflowIsAnErrorNotATrap() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -O 64bit -d {d}/s {d}/system.img 4M')
            incompat = struct.unpack('<I', read(d + '/system.img', 1024 + 0x60, 4))[0]
            patch(d + '/system.img', 1024 + 0x60, struct.pack('<I', incompat | 0x80))
            patch(d + '/system.img', 1024 + 0x150, struct.pack('<I', 0x00100000))
            zipit(d + '/fw.zip', [('system.img', d + '/system.img')])
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        expectCleanFailure(run, naming: "system.img", dir: dir)
    }

    @Test func aMemberWithABadChecksumIsAnErrorNotATrap() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -d {d}/s {d}/system.img 4M')
            with zipfile.ZipFile(d + '/fw.zip', 'w', zipfile.ZIP_STORED) as z:
                z.write(d + '/system.img', 'system.img')
                z.writestr('notes.txt', 'x' * 5000)
            data = bytearray(open(d + '/fw.zip', 'rb').read())
            at = data.find(b'x' * 5000)
            data[at + 100] = ord('y')
            open(d + '/fw.zip', 'wb').write(bytes(data))
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        expectCleanFailure(run, naming: "notes.txt", dir: dir)
    }

    @Test func aHugeSparseCrcChunkIsRejectedAtOnce() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            hdr = struct.pack('<IHHHHIIII', 0xED26FF3A, 1, 0, 28, 12, 4096, 16, 1, 0)
            chunk = struct.pack('<HHII', 0xCAC4, 0, 0, 0xFFFFFFFF)
            open(d + '/product.img', 'wb').write(hdr + chunk + b'\\0' * 4096)
            zipit(d + '/fw.zip', [('product.img', d + '/product.img')])
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        expectCleanFailure(run, naming: "product.img", dir: dir)
        #expect(run.stderr.contains("CRC sparse chunk"))
    }

    @Test func packageFilesNamedLikeTheDumpsOwnAreKept() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -d {d}/s {d}/system.img 4M')
            tree(d + '/extra', {'README.md': 'the vendor readme\\n', 'all_files.txt': 'theirs\\n'})
            zipit(d + '/fw.zip', [('system.img', d + '/system.img'), ('README.md', d + '/extra/README.md'), ('all_files.txt', d + '/extra/all_files.txt')])
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let files = try Tool.check("git", ["--git-dir", dir.file("out/yardphone/gravel.git"), "ls-tree", "--name-only", "-r", "HEAD"]).stdout
        #expect(files.contains("firmware-README.md\n"))
        #expect(files.contains("firmware-all_files.txt\n"))
        #expect(files.contains("\nREADME.md\n") || files.hasPrefix("README.md\n"))
    }

    @Test func anImageLargerThanTheFreeSpaceFailsBeforeAnyWrite() throws {
        let dir = try TemporaryDirectory("hostile")
        try Self.python("""
            tree(d + '/s', {'system/build.prop': props})
            sh(f'mke2fs -q -t ext4 -d {d}/s {d}/system.img 4M')
            import zlib
            raw = open(d + '/system.img', 'rb').read()
            comp = zlib.compressobj(6, zlib.DEFLATED, -15); body = comp.compress(raw) + comp.flush()
            name = b'system.img'; crc = zlib.crc32(raw)
            local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0, crc, len(body), len(raw), len(name), 0) + name
            extra = struct.pack('<HHQQ', 1, 16, 1 << 50, len(body))   # zip64: a petabyte, says the directory
            central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
            cd_offset = len(local) + len(body)
            record = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset)
            locator = struct.pack('<IIQI', 0x07064b50, 0, cd_offset + len(central), 1)
            eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(central), cd_offset, 0)
            open(d + '/fw.zip', 'wb').write(local + body + central + record + locator + eocd)
            """, in: dir)
        let run = try dump(dir.file("fw.zip"), in: dir)
        expectCleanFailure(run, naming: "system.img", dir: dir)
        #expect(run.stderr.contains("GiB are free"), "\(run.stderr)")
    }

    @Test func abandonedWorkDirectoriesAreSwept() throws {
        let dir = try TemporaryDirectory("hostile")
        // A pid that cannot be running: above the kernel's pid_max.
        let abandoned = dir.file("home/work/dump-99999999-1")
        try FileManager.default.createDirectory(atPath: abandoned + "/images", withIntermediateDirectories: true)
        let run = try dump(TestPaths.fixture("sample-firmware.zip"), in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: abandoned))
    }
}
