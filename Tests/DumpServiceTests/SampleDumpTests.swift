import DumpService
import DumpTestSupport
import Foundation
import Testing

/// The main job end to end on the committed sample firmware, through the real `dumpyard` binary.
@Suite(.serialized) struct SampleDumpTests {
    let sample = TestPaths.fixture("sample-firmware.zip")

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func dumpyard(_ arguments: [String], home: String) throws -> Run {
        let out = try Tool.run(TestPaths.dumpyardBinary, arguments, environment: ["DUMPYARD_HOME": home])
        return Run(status: out.status, stdout: out.stdout, stderr: out.stderr)
    }

    func summary(_ json: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// The reference extraction of the sample by the Debian tools: what the dump must contain.
    func referenceTree(in dir: TemporaryDirectory) throws -> [String: TreeEntry] {
        let unpacked = dir.file("unzipped")
        try Tool.check("unzip", ["-q", sample, "-d", unpacked])
        let ref = dir.file("reference")
        for name in ["system", "vendor", "product"] {
            try FileManager.default.createDirectory(atPath: ref + "/" + name, withIntermediateDirectories: true)
        }
        try Tool.check("debugfs", ["-c", "-R", "rdump / \(ref)/system", unpacked + "/system.img"])
        try Tool.check("fsck.erofs", ["--extract=\(ref)/vendor", unpacked + "/vendor.img"])
        try Tool.check("simg2img", [unpacked + "/product.img", dir.file("product.raw")])
        try Tool.check("debugfs", ["-c", "-R", "rdump / \(ref)/product", dir.file("product.raw")])
        for name in try FileManager.default.contentsOfDirectory(atPath: unpacked) where !name.hasSuffix(".img") {
            try FileManager.default.copyItem(atPath: unpacked + "/" + name, toPath: ref + "/" + name)
        }
        return try snapshot(ref)
    }

    @Test func dumpMatchesTheReferenceExtractionByteForByte() throws {
        let dir = try TemporaryDirectory("sample")
        let run = try dumpyard(["dump", sample, "--out", dir.file("out"), "--json"], home: dir.file("home"))
        #expect(run.status == 0, "\(run.stderr)")
        let result = try summary(run.stdout)
        #expect(result["status"] as? String == "dumped")
        #expect(result["brand"] as? String == "yardphone")
        #expect(result["codename"] as? String == "gravel")
        #expect(result["branch"] as? String == "gravel-user-14-UP1A.231005.007-10754064-release-keys")
        let repository = dir.file("out/yardphone/gravel.git")
        #expect(result["repository"] as? String == repository)
        try Tool.check("git", ["--git-dir", repository, "fsck", "--strict"])

        try Tool.check("git", ["clone", "-q", repository, dir.file("clone")])
        let dumped = try snapshot(dir.file("clone"), excluding: [".git", "README.md", "all_files.txt"])
        let reference = try referenceTree(in: dir)
        #expect(dumped.count == reference.count)
        #expect(Set(dumped.keys) == Set(reference.keys), "missing: \(Set(reference.keys).subtracting(dumped.keys).sorted().prefix(5)); extra: \(Set(dumped.keys).subtracting(reference.keys).sorted().prefix(5))")
        for (path, entry) in reference where dumped[path] != entry {
            Issue.record("\(path): dumped \(String(describing: dumped[path])), reference \(entry)")
        }
        // The special files of the sample made it, with their kind.
        #expect(dumped.count > 300)
        #expect(dumped.values.contains { if case .symlink(let t) = $0.kind { t.hasPrefix("/") } else { false } })
        #expect(dumped.values.contains { if case .file(true, _) = $0.kind { true } else { false } })
        #expect(dumped.keys.contains { $0.unicodeScalars.contains { !$0.isASCII } })
        #expect(dumped.keys.contains { $0.split(separator: "/").count >= 9 })

        let readme = try String(contentsOfFile: dir.file("clone/README.md"), encoding: .utf8)
        #expect(readme.hasPrefix("## gravel-user 14 UP1A.231005.007 10754064 release-keys\n"))
        #expect(readme.contains("- fingerprint: yardphone/gravel/gravel:14/UP1A.231005.007/10754064:user/release-keys\n"))
        #expect(readme.contains("- branch: gravel-user-14-UP1A.231005.007-10754064-release-keys\n"))
        let listed = try String(contentsOfFile: dir.file("clone/all_files.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(listed == listed.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(Set(listed) == Set(dumped.keys))

        let log = try Tool.check("git", ["--git-dir", repository, "log", "-1", "--format=%an|%ae|%at|%s", "gravel-user-14-UP1A.231005.007-10754064-release-keys"]).stdout
        #expect(log.hasSuffix("|gravel-user 14 UP1A.231005.007 10754064 release-keys\n"))
    }

    @Test func secondDumpIsTheSameCommitAndStoresNothingNew() throws {
        let dir = try TemporaryDirectory("again")
        let home = dir.file("home")
        let first = try summary(try dumpyard(["dump", sample, "--out", dir.file("out"), "--json"], home: home).stdout)
        let second = try summary(try dumpyard(["dump", sample, "--out", dir.file("out"), "--json"], home: home).stdout)
        #expect(second["status"] as? String == "already_dumped")
        #expect(second["commit"] as? String == first["commit"] as? String)
        #expect(second["new_objects"] as? Int == 0)
        let forced = try summary(try dumpyard(["dump", sample, "--out", dir.file("out"), "--json", "--force"], home: home).stdout)
        #expect(forced["status"] as? String == "already_dumped", "forcing the same build changes nothing")
        #expect(forced["commit"] as? String == first["commit"] as? String)
        #expect(forced["new_objects"] as? Int == 0)
        // A fresh output directory with the warm store: same commit again.
        let elsewhere = try summary(try dumpyard(["dump", sample, "--out", dir.file("out2"), "--json"], home: home).stdout)
        #expect(elsewhere["commit"] as? String == first["commit"] as? String)
        #expect(elsewhere["status"] as? String == "dumped")
        let packs = try FileManager.default.contentsOfDirectory(atPath: dir.file("out/yardphone/gravel.git/objects/pack"))
        // One pack of blobs copied from the store, one of trees and the commit; the forced re-dump added none.
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 2)
        let loose = try FileManager.default.subpathsOfDirectory(atPath: dir.file("out/yardphone/gravel.git/objects"))
            .filter { !$0.hasPrefix("pack") && !$0.hasPrefix("info") && $0.count == 41 }
        #expect(loose.isEmpty, "no loose objects")
    }

    @Test func bundleExportClonesAndFscks() throws {
        let dir = try TemporaryDirectory("bundle")
        let dump = try summary(try dumpyard(["dump", sample, "--out", dir.file("out"), "--json"], home: dir.file("home")).stdout)
        let branch = try #require(dump["branch"] as? String)
        let run = try dumpyard(["bundle", dir.file("out/yardphone/gravel.git"), branch, "-o", dir.file("gravel.bundle"), "--json"], home: dir.file("home"))
        #expect(run.status == 0, "\(run.stderr)")
        let bundle = try summary(run.stdout)
        #expect(bundle["commit"] as? String == dump["commit"] as? String)
        let header = try Data(contentsOf: URL(fileURLWithPath: dir.file("gravel.bundle"))).prefix(200)
        #expect(String(decoding: header, as: UTF8.self).hasPrefix("# v2 git bundle\n"))
        try Tool.check("git", ["clone", "-q", dir.file("gravel.bundle"), dir.file("clone")])
        try Tool.check("git", ["-C", dir.file("clone"), "fsck", "--strict"])
        #expect(try Tool.check("git", ["-C", dir.file("clone"), "rev-parse", "HEAD"]).stdout == "\(dump["commit"] as? String ?? "")\n")
        #expect(FileManager.default.fileExists(atPath: dir.file("clone/system/system/build.prop")))

        let missing = try dumpyard(["bundle", dir.file("out/yardphone/gravel.git"), "no-such-branch", "-o", dir.file("x.bundle")], home: dir.file("home"))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no branch no-such-branch (branches: \(branch))"))
        // The full reference name works too.
        let full = try dumpyard(["bundle", dir.file("out/yardphone/gravel.git"), "refs/heads/" + branch, "-o", dir.file("full.bundle")], home: dir.file("home"))
        #expect(full.status == 0, "\(full.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.bundle")))
    }

    @Test func firmwareGivenThroughASymlinkIsRead() throws {
        let dir = try TemporaryDirectory("link")
        try FileManager.default.createSymbolicLink(atPath: dir.file("fw.zip"), withDestinationPath: sample)
        let run = try dumpyard(["dump", dir.file("fw.zip"), "--out", dir.file("out"), "--json"], home: dir.file("home"))
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func textOutputAndUsageErrors() throws {
        let dir = try TemporaryDirectory("text")
        let run = try dumpyard(["dump", sample, "--out", dir.file("out")], home: dir.file("home"))
        #expect(run.status == 0)
        for label in ["brand", "codename", "branch", "commit", "files", "store", "time"] {
            #expect(run.stdout.contains("  \(label)"), "\(label)")
        }
        #expect(run.stderr.contains("[5/10] read partitions"))
        let usage = try dumpyard(["dump"], home: dir.file("home"))
        #expect(usage.status == 2)
        let unknown = try dumpyard(["dump", sample, "--bogus"], home: dir.file("home"))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--bogus"))
        // A bad --out fails in step 1, before any work, with a readable cause.
        let intoFile = try dumpyard(["dump", sample, "--out", TestPaths.fixture("README.md")], home: dir.file("home"))
        #expect(intoFile.status == 1)
        #expect(intoFile.stderr.contains("validate failed: sample-firmware.zip: --out"))
        #expect(intoFile.stderr.contains("is not a directory"))
        #expect(!intoFile.stderr.contains("NSCocoaErrorDomain"))
        let emptyOut = try dumpyard(["dump", sample, "--out", ""], home: dir.file("home"))
        #expect(emptyOut.status == 2)
        let directory = try dumpyard(["dump", dir.path, "--out", dir.file("out")], home: dir.file("home"))
        #expect(directory.stderr.contains("a directory, not a firmware file"))
        let notRepository = try dumpyard(["bundle", sample, "main", "-o", dir.file("x.bundle")], home: dir.file("home"))
        #expect(notRepository.status == 1)
        #expect(notRepository.stderr.contains("bundle failed: \(sample) is not a dump repository"))
        #expect(!notRepository.stderr.contains("git_"))
    }
}
