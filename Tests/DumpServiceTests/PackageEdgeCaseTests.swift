import DumpTestSupport
import Foundation
import Testing

/// Unusual but valid package shapes (from an adversarial review): each must dump, keeping every
/// file, and say what it left out.
@Suite struct PackageEdgeCaseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Python run with the prelude of `PackageHostileTests`.
        var build: String
        /// Paths (outside the partitions) the dump must hold, with their content when given.
        var files: [String: String?]
        /// Fragments the "not dumped" notes must contain.
        var notDumped: [String] = []
        var partitions: Set<String> = ["system"]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a tar hard link is a second copy, a device node a note",
            build: """
                import tarfile, io
                with tarfile.open(os.path.join(d, 'AP_X.tar'), 'w', format=tarfile.USTAR_FORMAT) as t:
                    t.add(img.system, 'system.img')
                    i = tarfile.TarInfo('notes.txt'); body = b'release notes\\n'; i.size = len(body); t.addfile(i, io.BytesIO(body))
                    h = tarfile.TarInfo('copy/notes2.txt'); h.type = tarfile.LNKTYPE; h.linkname = 'notes.txt'; t.addfile(h)
                    c = tarfile.TarInfo('tty'); c.type = tarfile.CHRTYPE; c.devmajor = 5; c.devminor = 0; t.addfile(c)
                zipit([('AP_X.tar', read(os.path.join(d, 'AP_X.tar')))])
                """,
            files: ["notes.txt": "release notes\n", "copy/notes2.txt": "release notes\n"],
            notDumped: ["AP_X.tar:tty: a device node, fifo or socket"]),
        Case(
            name: "concatenated gzip members and a doubly wrapped image",
            build: """
                import gzip
                data = read(img.system); half = len(data) // 2
                zipit([('system.img.gz', gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)),
                       ('vendor.img.gz.gz', gzip.compress(gzip.compress(read(img.vendor), mtime=0), mtime=0))])
                """,
            files: [:], partitions: ["system", "vendor"]),
        Case(
            name: "a full block OTA keeps a non-empty patch.dat and a transfer list of another directory",
            build: """
                tl, nd = blockota.make(read(img.system), 4, 'full')
                zipit([('system.transfer.list', tl), ('system.new.dat', nd), ('system.patch.dat', b'unused patch data'),
                       ('backup/system.transfer.list', tl)])
                """,
            files: ["system.patch.dat": "unused patch data", "backup/system.transfer.list": nil]),
    ]

    @Test(arguments: cases)
    func dumpsAndKeepsEverything(_ edge: Case) throws {
        let dir = try TemporaryDirectory("edge-package")
        try Tool.check("python3", ["-c", PackageHostileTests.prelude + edge.build, dir.path, TestPaths.fixture("formats")])
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", dir.file("fw.zip"), "--out", dir.file("out"), "--json"],
            environment: ["DUMPYARD_HOME": dir.file("home")])
        try #require(run.status == 0, "\(run.stderr)")
        let summary = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let notDumped = summary["not_dumped"] as? [String] ?? []
        for fragment in edge.notDumped {
            #expect(notDumped.contains { $0.contains(fragment) }, "\(notDumped)")
        }
        let repositories = try FileManager.default.contentsOfDirectory(atPath: dir.file("out"))
        let brand = try #require(repositories.first)
        let project = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("out/\(brand)")).first)
        let repository = dir.file("out/\(brand)/\(project)")
        for (path, content) in edge.files {
            let shown = try Tool.run("git", ["--git-dir", repository, "show", "HEAD:" + path])
            #expect(shown.status == 0, "\(path) is missing")
            if let content { #expect(shown.stdout == content, "\(path)") }
        }
        #expect(Set(summary["partitions"] as? [String] ?? []) == edge.partitions)
    }
}
