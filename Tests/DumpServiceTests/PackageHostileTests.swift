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
            expected: ["system.img_sparsechunk.1", "describes a"]),
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
