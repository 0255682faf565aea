import DumpTestSupport
import Foundation
import Testing

/// Broken and hostile packages of every shape: each must fail fast with exit status 1, a message
/// naming the file and the cause, and an empty work directory.
@Suite struct PackageHostileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Python run with `d` (the test directory), `fw` (the path to write), `images` (the sample's
        /// images unpacked: system, vendor, product raw; product_sparse, system_sparse) and the
        /// fixture modules `lp`, `blockota`, `packages` imported.
        var build: String
        /// Fragments the last line of standard error must contain.
        var expected: [String]
        var testDescription: String { name }
    }

    static let prelude = """
        import os, struct, subprocess, sys, zipfile
        sys.path.insert(0, sys.argv[2])
        import lp, blockota, packages
        d = sys.argv[1]; fw = os.path.join(d, 'fw.zip')
        class I: pass
        images = I()
        img = packages.Images(os.path.join(d, 'img'), os.path.join(sys.argv[2], '..', 'sample-firmware.zip')) if os.makedirs(os.path.join(d, 'img')) is None else None
        def read(p): return open(p, 'rb').read()
        def zipit(members, path=fw):
            with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
                for name, data in members: z.writestr(name, data)
        def sparse_from_holes(raw, out):
            # A sparse image of `raw` with its holes as don't-care chunks (img2simg reads every hole).
            size = os.path.getsize(raw); chunks = []; pos = 0
            with open(raw, 'rb') as f:
                fd = f.fileno()
                while pos < size:
                    try: data = os.lseek(fd, pos, os.SEEK_DATA)
                    except OSError: data = size
                    if data > pos: chunks.append((0xCAC3, (data - pos) // 4096, b'')); pos = data
                    if pos >= size: break
                    hole = os.lseek(fd, pos, os.SEEK_HOLE)
                    f.seek(pos); chunks.append((0xCAC1, (hole - pos) // 4096, f.read(hole - pos))); pos = hole
            with open(out, 'wb') as o:
                o.write(struct.pack('<IHHHHIIII', 0xED26FF3A, 1, 0, 28, 12, 4096, size // 4096, len(chunks), 0))
                for kind, blocks, data in chunks: o.write(struct.pack('<HHII', kind, 0, blocks, 12 + len(data)) + data)
        parts = {'system': read(img.system), 'vendor': read(img.vendor), 'product': read(img.product)}

        """

    static let cases: [Case] = [
        Case(
            name: "a sparse image claiming 1 TiB",
            build: """
                h = struct.pack('<IHHHHIIII', 0xED26FF3A, 1, 0, 28, 12, 4096, (1 << 40) // 4096, 1, 0)
                c = struct.pack('<HHII', 0xCAC3, 0, (1 << 40) // 4096, 12)
                zipit([('system.img', h + c)])
                """,
            expected: ["fw.zip:system.img", "limit 256 GiB"]),
        Case(
            name: "a truncated super image",
            build: "zipit([('super.img', lp.make_variant('truncated', parts))])",
            expected: ["fw.zip:super.img", "runs past the end"]),
        Case(
            name: "a super extent outside the image",
            build: "zipit([('super.img', lp.make_variant('extent-outside', parts))])",
            expected: ["fw.zip:super.img", "outside"]),
        Case(
            name: "a retrofit super on two block devices",
            build: "zipit([('super.img', lp.make_variant('target-source', parts))])",
            expected: ["fw.zip:super.img", "block device 1"]),
        Case(
            name: "an incremental block OTA",
            build: """
                tl, nd = blockota.make(parts['system'], 4, 'incremental')
                zipit([('system.transfer.list', tl), ('system.new.dat', nd), ('system.patch.dat', b'BSDIFF40')])
                """,
            expected: ["fw.zip:system.transfer.list", "incremental block OTA"]),
        Case(
            name: "a block OTA whose new data ends early",
            build: """
                tl, nd = blockota.make(parts['system'], 4, 'full')
                zipit([('system.transfer.list', tl), ('system.new.dat', nd[:-70000])])
                """,
            expected: ["fw.zip:system.new.dat", "new.dat ends at byte"]),
        Case(
            name: "corrupt brotli new data",
            build: """
                tl, nd = blockota.make(parts['system'], 4, 'full')
                br = subprocess.run(['brotli', '-c', '-q', '5'], input=nd, capture_output=True, check=True).stdout
                br = br[:5000] + bytes(b ^ 0x5A for b in br[5000:9000]) + br[9000:]
                zipit([('system.transfer.list', tl), ('system.new.dat.br', br)])
                """,
            expected: ["fw.zip:system.new.dat.br", "brotli"]),
        Case(
            name: "a truncated LZ4 super in a Samsung tar",
            build: """
                open(os.path.join(d, 'super.img'), 'wb').write(lp.make_variant('ab', parts))
                lp.wrap(os.path.join(d, 'super.img'), 'lz4', 0)
                data = read(os.path.join(d, 'super.img.lz4'))
                os.makedirs(os.path.join(d, 'ap'))
                open(os.path.join(d, 'ap', 'super.img.lz4'), 'wb').write(data[:len(data) // 2])
                packages.tar_md5(os.path.join(d, 'AP_X.tar.md5'), os.path.join(d, 'ap'), ['super.img.lz4'])
                zipit([('AP_X.tar.md5', read(os.path.join(d, 'AP_X.tar.md5')))])
                """,
            expected: ["AP_X.tar.md5:super.img.lz4", "LZ4"]),
        Case(
            name: "split sparse pieces of two different images",
            build: """
                subprocess.run(['img2simg', img.vendor, os.path.join(d, 'v.simg')], check=True)
                zipit([('system.img_sparsechunk.0', read(img.system_sparse)), ('system.img_sparsechunk.1', read(os.path.join(d, 'v.simg')))])
                """,
            expected: ["system.img_sparsechunk.1", "the pieces do not belong together"]),
        Case(
            name: "zips nested too deep",
            build: """
                inner = read(img.system)
                data = None
                zipit([('system.img', inner)], os.path.join(d, 'n0.zip'))
                for i in range(1, 7):
                    zipit([('n.zip', read(os.path.join(d, 'n%d.zip' % (i - 1))))], os.path.join(d, 'n%d.zip' % i))
                os.replace(os.path.join(d, 'n6.zip'), fw)
                """,
            expected: ["fw.zip", "no partition image found"]),
        Case(
            name: "a tar.md5 cut in the middle of a member",
            build: """
                os.makedirs(os.path.join(d, 'ap'))
                open(os.path.join(d, 'ap', 'system.img'), 'wb').write(parts['system'])
                packages.tar_md5(os.path.join(d, 'AP_X.tar.md5'), os.path.join(d, 'ap'), ['system.img'])
                data = read(os.path.join(d, 'AP_X.tar.md5'))
                zipit([('AP_X.tar.md5', data[:len(data) // 3])])
                """,
            expected: ["AP_X.tar.md5"]),
        Case(
            name: "an incremental A/B OTA",
            build: """
                subprocess.run([sys.executable, os.path.join(sys.argv[2], 'payload.py'), '--out', os.path.join(d, 'p.bin'), '--zip', fw,
                                '--variant', 'incremental', 'system=' + img.system], check=True, stdout=subprocess.DEVNULL)
                """,
            expected: ["fw.zip:payload.bin", "incremental OTA", "SOURCE_COPY"]),
        Case(
            name: "a payload operation whose data does not match its hash",
            build: """
                subprocess.run([sys.executable, os.path.join(sys.argv[2], 'payload.py'), '--out', os.path.join(d, 'p.bin'), '--zip', fw,
                                '--variant', 'bad-blob-hash', 'system=' + img.system], check=True, stdout=subprocess.DEVNULL)
                """,
            expected: ["fw.zip:payload.bin", "partition system operation"]),
        Case(
            name: "a truncated payload",
            build: """
                subprocess.run([sys.executable, os.path.join(sys.argv[2], 'payload.py'), '--out', os.path.join(d, 'p.bin'),
                                '--variant', 'truncated', 'system=' + img.system], check=True, stdout=subprocess.DEVNULL)
                with zipfile.ZipFile(fw, 'w', zipfile.ZIP_STORED) as z: z.write(os.path.join(d, 'p.bin'), 'payload.bin')
                """,
            expected: ["fw.zip:payload.bin"]),
        // From an adversarial review.
        Case(
            name: "a zip64 size of 2^64 - 1 on a deflated member",
            build: """
                import zlib
                data = read(img.product_sparse); comp = zlib.compress(data)[2:-4]; size = 2**64 - 1; name = b'product.img'
                x = struct.pack('<HHQQ', 1, 16, size, len(comp))
                loc = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21, zlib.crc32(data), 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(x)) + name + x + comp
                cen = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, 8, 0, 0x21, zlib.crc32(data), 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(x), 0, 0, 0, 0, 0) + name + x
                open(fw, 'wb').write(loc + cen + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(cen), len(loc), 0))
                """,
            expected: ["fw.zip:product.img", "GiB"]),
        Case(
            name: "a split sparse image with a piece missing",
            build: """
                subprocess.run(['simg2simg', img.system_sparse, os.path.join(d, 'piece'), '600000'], check=True)
                n = len([f for f in os.listdir(d) if f.startswith('piece.')])
                zipit([('system.img_sparsechunk.%d' % i, read(os.path.join(d, 'piece.%d' % i))) for i in range(n) if i != 3])
                """,
            expected: ["system.img_sparsechunk.0", "piece 3 of system.img is missing"]),
        Case(
            name: "split sparse pieces that write the same blocks",
            build: """
                subprocess.run(['simg2simg', img.system_sparse, os.path.join(d, 'piece'), '600000'], check=True)
                zipit([('system.img_sparsechunk.0', read(os.path.join(d, 'piece.0'))), ('system.img_sparsechunk.1', read(os.path.join(d, 'piece.0')))])
                """,
            expected: ["system.img_sparsechunk.1", "already wrote"]),
        Case(
            name: "a transfer list that zeroes its new blocks over and over",
            build: """
                n = 100000; nums = [x for i in range(n) for x in (2 * i, 2 * i + 1)]
                tl = '4\\n%d\\n0\\n0\\nnew %d,%s\\n' % (n, len(nums), ','.join(map(str, nums))) + ('zero 2,0,%d\\n' % (2 * n)) * 4000
                zipit([('system.transfer.list', tl), ('system.new.dat', b'\\0' * 4096 * n)])
                """,
            expected: ["fw.zip:system.transfer.list", "over and over"]),
        Case(
            name: "a 64 GiB file system whose 60 GiB file is all hole",
            build: """
                raw = os.path.join(d, 'fs.img'); open(os.path.join(d, 'small'), 'w').write('hi')
                subprocess.run(['truncate', '-s', '64G', raw], check=True)
                subprocess.run(['mke2fs', '-q', '-t', 'ext4', '-O', '^has_journal', '-E', 'lazy_itable_init=1,nodiscard', raw], check=True)
                subprocess.run(['debugfs', '-w', '-R', 'write ' + os.path.join(d, 'small') + ' a.bin', raw], check=True, capture_output=True)
                subprocess.run(['debugfs', '-w', '-R', 'sif a.bin size 64424509440', raw], check=True, capture_output=True)
                sparse_from_holes(raw, os.path.join(d, 'system.simg')); os.remove(raw)
                zipit([('system.img', read(os.path.join(d, 'system.simg')))])
                """,
            expected: ["fw.zip:system.img", "files of holes"]),
        Case(
            name: "a sparse fill bomb",
            build: """
                blocks = (8 << 30) // 4096
                open(os.path.join(d, 'bomb.img'), 'wb').write(struct.pack('<IHHHHIIII', 0xED26FF3A, 1, 0, 28, 12, 4096, blocks, 1, 0) + struct.pack('<HHII', 0xCAC2, 0, blocks, 16) + b'AAAA')
                zipit([('system.img', read(os.path.join(d, 'bomb.img')))])
                """,
            expected: ["fw.zip:system.img", "decompression bomb"]),
        Case(
            name: "a stored member with a wrong CRC",
            build: """
                with zipfile.ZipFile(fw, 'w', zipfile.ZIP_STORED) as z: z.writestr('system.img', read(img.system))
                data = bytearray(read(fw)); at = data.find(b'PK\\x01\\x02') + 16; data[at:at + 4] = b'\\x78\\x56\\x34\\x12'
                at = 14; data[at:at + 4] = b'\\x78\\x56\\x34\\x12'; open(fw, 'wb').write(data)
                """,
            expected: ["fw.zip:system.img", "CRC mismatch"]),
        Case(
            name: "a path git would read as .git on HFS+",
            build: "zipit([('system.img', read(img.system)), ('.g\\u200cit/config', '[core]\\n')])",
            expected: ["fw.zip", "'.git' component"]),
        Case(
            name: "a top-level file after a nested archive's file of the same name",
            build: """
                os.makedirs(os.path.join(d, 'ap')); open(os.path.join(d, 'ap', 'notes.txt'), 'w').write('nested')
                open(os.path.join(d, 'ap', 'system.img'), 'wb').write(read(img.system))
                packages.tar_md5(os.path.join(d, 'AP_X.tar.md5'), os.path.join(d, 'ap'), ['notes.txt', 'system.img'])
                zipit([('AP_X.tar.md5', read(os.path.join(d, 'AP_X.tar.md5'))), ('notes.txt', 'top')])
                """,
            expected: ["fw.zip:notes.txt", "clashes with fw.zip:AP_X.tar.md5:notes.txt"]),
        Case(
            name: "a package file inside a partition's directory",
            build: "zipit([('system/build.prop', 'ro.product.device=x\\n'), ('system.img', read(img.system))])",
            expected: ["fw.zip:system.img", "the partition system clashes with fw.zip:system/build.prop"]),
        Case(
            name: "zip members that share their data",
            build: """
                import zlib
                body = zlib.compress(b'A' * 100000)[2:-4]; crc = zlib.crc32(b'A' * 100000)
                loc = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 8, 0, 0x21, crc, len(body), 100000, 5, 0) + b'a.bin' + body
                cen = b''.join(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 8, 0, 0x21, crc, len(body), 100000, 5, 0, 0, 0, 0, 0, 0) + n for n in (b'a.bin', b'b.bin'))
                open(fw, 'wb').write(loc + cen + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 2, 2, len(cen), len(loc), 0))
                """,
            expected: ["fw.zip", "share data"]),
        Case(
            name: "split sparse pieces each filling less than a check interval",
            build: """
                n = 6; per = 65280; total = n * per
                members = []
                for i in range(n):
                    ch = []
                    if i * per: ch.append(struct.pack('<HHII', 0xCAC3, 0, i * per, 12))
                    ch.append(struct.pack('<HHII', 0xCAC2, 0, per, 16) + b'\\xff' * 4)
                    if total - (i + 1) * per: ch.append(struct.pack('<HHII', 0xCAC3, 0, total - (i + 1) * per, 12))
                    members.append(('system.img_sparsechunk.%d' % i, struct.pack('<IHHHHIIII', 0xED26FF3A, 1, 0, 28, 12, 4096, total, len(ch), 0) + b''.join(ch)))
                zipit(members)
                """,
            expected: ["system.img_sparsechunk", "decompression bomb"]),
        Case(
            name: "an EROFS partition holding .gitmodules",
            build: """
                os.makedirs(os.path.join(d, 't', 'etc')); open(os.path.join(d, 't', 'etc', '.GitModules'), 'w').write('[submodule]\\n')
                subprocess.run(['mkfs.erofs', os.path.join(d, 'v.img'), os.path.join(d, 't')], check=True, capture_output=True)
                zipit([('system.img', read(img.system)), ('vendor.img', read(os.path.join(d, 'v.img')))])
                """,
            expected: ["etc/.GitModules", "'.gitmodules'"]),
        Case(
            name: "an EROFS image of a 2 GiB file of zeros",
            build: """
                os.makedirs(os.path.join(d, 't')); subprocess.run(['truncate', '-s', '2G', os.path.join(d, 't', 'zeros.bin')], check=True)
                subprocess.run(['mkfs.erofs', '-zlz4hc', os.path.join(d, 'v.img'), os.path.join(d, 't')], check=True, capture_output=True)
                os.remove(os.path.join(d, 't', 'zeros.bin'))
                zipit([('system.img', read(img.system)), ('vendor.img', read(os.path.join(d, 'v.img')))])
                """,
            expected: ["fw.zip:vendor.img", "decompression bomb"]),
    ]

    @Test(arguments: cases)
    func failsFastAndClearly(_ hostile: Case) throws {
        let dir = try TemporaryDirectory("hostile-package")
        try Tool.check("python3", ["-c", Self.prelude + hostile.build, dir.path, TestPaths.fixture("formats")])
        let started = ContinuousClock.now
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", dir.file("fw.zip"), "--out", dir.file("out")], environment: ["DUMPYARD_HOME": dir.file("home")])
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 1, "exit \(run.status): \(run.stderr)")
        let last = run.stderr.split(separator: "\n").last.map(String.init) ?? ""
        for fragment in hostile.expected {
            #expect(last.contains(fragment), "\(last)")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.file("home/work"))) ?? []).isEmpty)
        #expect(elapsed < .seconds(60), "took \(elapsed)")
    }
}
