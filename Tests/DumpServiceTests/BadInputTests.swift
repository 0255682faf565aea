import DumpTestSupport
import Foundation
import Testing

/// Every broken or hostile firmware fails with one clear line, a non-zero exit, no branch and
/// nothing left behind in the store or the work directory.
@Suite struct BadInputTests {
    @Test(arguments: [
        ("no-images.zip", "no partition image"),
        ("truncated.zip", "truncated or corrupt zip"),
        ("corrupt-superblock.zip", "system.img: at offset 1024: corrupt ext4 superblock"),
        ("corrupt-erofs.zip", "vendor.img: cannot read the EROFS file system"),
        ("garbage-props.zip", "codename not detected"),
        ("escape-dotdot.zip", "'..' component"),
        ("escape-absolute.zip", "absolute path"),
        ("escape-symlink.zip", "points outside"),
        ("sparse-truncated.zip", "product.img: at offset"),
    ])
    func failsClearlyAndLeavesNothing(fixture: String, cause: String) throws {
        let dir = try TemporaryDirectory("bad")
        let home = dir.file("home")
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("bad/" + fixture), "--out", dir.file("out")],
            environment: ["DUMPYARD_HOME": home])
        #expect(run.status == 1)
        let errorLines = run.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") }
        #expect(errorLines.count == 1, "\(run.stderr)")
        let line = String(errorLines.first ?? "")
        #expect(line.hasPrefix("dumpyard: "))
        #expect(line.contains(fixture), "names the file: \(line)")
        #expect(line.contains(cause), "names the cause: \(line)")
        #expect(!line.contains(home), "no work paths in the message: \(line)")
        #expect(run.stdout.isEmpty)
        // No branch, no repository, no half-written object, no leftover work directory.
        let repositories = (try? FileManager.default.subpathsOfDirectory(atPath: dir.file("out"))) ?? []
        #expect(!repositories.contains { $0.hasSuffix("refs/heads") && !(((try? FileManager.default.contentsOfDirectory(atPath: dir.file("out/" + $0))) ?? []).isEmpty) })
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: home + "/store/tmp")) ?? []).isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: home + "/work")) ?? []).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/evil.txt"))
    }

    @Test func missingFileFailsInValidate() throws {
        let dir = try TemporaryDirectory("bad")
        let run = try Tool.run(TestPaths.dumpyardBinary, ["dump", dir.file("nope.zip"), "--out", dir.file("out")], environment: ["DUMPYARD_HOME": dir.file("home")])
        #expect(run.status == 1)
        #expect(run.stderr.contains("validate failed"))
        #expect(run.stderr.contains("nope.zip"))
    }
}
