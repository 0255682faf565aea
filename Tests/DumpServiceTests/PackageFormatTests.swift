import DumpTestSupport
import Foundation
import Testing

/// The sample firmware repackaged the ways real firmware comes (fixtures/formats/packages.py):
/// every package must give the very same partition trees as the plain fastboot zip, keep its
/// other files, and say which images it left out.
@Suite struct PackageFormatTests {
    /// The packages, built once per test run.
    static let packages: TemporaryDirectory = {
        let dir = try! TemporaryDirectory("packages")
        try! Tool.check("python3", [TestPaths.fixture("formats/packages.py"), "--out", dir.path])
        return dir
    }()

    /// `git ls-tree` of the sample's own dump, partitions only: what every package must give.
    static let referenceTrees: String = {
        let dir = try! TemporaryDirectory("reference")
        let run = try! Tool.run(
            TestPaths.dumpyardBinary, ["dump", TestPaths.fixture("sample-firmware.zip"), "--out", dir.file("out")],
            environment: ["DUMPYARD_HOME": dir.file("home")])
        precondition(run.status == 0, run.stderr)
        return try! partitionTrees(dir.file("out/yardphone/gravel.git"))
    }()

    static func partitionTrees(_ repository: String) throws -> String {
        try Tool.check("git", ["--git-dir", repository, "ls-tree", "-r", "HEAD", "--", "system", "vendor", "product"]).stdout
    }

    static func otherFiles(_ repository: String) throws -> Set<String> {
        let names = try Tool.check("git", ["--git-dir", repository, "ls-tree", "-r", "-z", "--name-only", "HEAD"]).stdout
        return Set(names.split(separator: "\0").map(String.init).filter { name in
            !["system/", "vendor/", "product/"].contains { name.hasPrefix($0) } && name != "README.md" && name != "all_files.txt"
        })
    }

    struct Expectation: Sendable, CustomTestStringConvertible {
        var package: String
        var others: Set<String>
        var notDumped: [String] = []
        var testDescription: String { package }
    }

    static let expectations: [Expectation] = [
        Expectation(
            package: "pixel.zip",
            others: ["android-info.txt", "boot.img", "gravel-up1a/bootloader-gravel-1.0.img", "gravel-up1a/flash-all.sh", "gravel-up1a/radio-gravel-1.0.img"]),
        Expectation(
            package: "samsung.zip",
            others: ["GRAVEL.pit", "HOME_CSC_OXM_G990BOXM1AWK1_CL1_QB1_REV00_user_low_ship_MULTI_CERT/GRAVEL.pit", "boot.img", "modem.bin", "sboot.bin"],
            notDumped: ["CSC_OXM_G990BOXM1AWK1_CL1_QB1_REV00_user_low_ship_MULTI_CERT.tar.md5:cache.img.lz4: cache is not a dumped partition",
                        "HOME_CSC_OXM_G990BOXM1AWK1_CL1_QB1_REV00_user_low_ship_MULTI_CERT.tar.md5:cache.img.lz4: cache is not a dumped partition"]),
        Expectation(package: "sevenzip.7z", others: ["android-info.txt", "flash_all.sh"]),
        Expectation(
            package: "xiaomi.tgz",
            others: ["gravel_global_images_V14.0.1.0_20231114.0000.00_14.0_global/flash_all.sh",
                     "gravel_global_images_V14.0.1.0_20231114.0000.00_14.0_global/images/android-info.txt"]),
        Expectation(
            package: "aliases.zip", others: ["NON-HLOS.bin", "android-info.txt", "boot-verified.img", "super.img.params"],
            notDumped: ["aliases.zip:system_b.img: slot b of system, slot a is dumped", "aliases.zip:cache.img: cache is not a dumped partition"]),
        Expectation(package: "sparsechunks.zip", others: ["android-info.txt"]),
        Expectation(package: "super.zip", others: ["android-info.txt", "images/super.img.params", "images/super_empty.img"]),
        Expectation(package: "super-sparse.zip", others: ["android-info.txt"]),
        Expectation(package: "super-split.zip", others: ["android-info.txt"]),
        Expectation(package: "samsung-super.zip", others: ["boot.img"]),
        Expectation(package: "blockota.zip", others: ["META-INF/com/android/metadata", "boot.img"]),
        Expectation(package: "ota.zip", others: ["META-INF/com/android/metadata", "boot.img", "payload_properties.txt"]),
        Expectation(package: "payload.bin", others: ["boot.img"]),
        Expectation(package: "wrapped.zip", others: ["android-info.txt", "notes.txt.gz"]),
    ]

    @Test(arguments: expectations)
    func everyPackageGivesTheSampleTrees(_ expected: Expectation) throws {
        let dir = try TemporaryDirectory("format")
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", Self.packages.file(expected.package), "--out", dir.file("out"), "--json"],
            environment: ["DUMPYARD_HOME": dir.file("home")])
        try #require(run.status == 0, "\(run.stderr)")
        let summary = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(Set(summary["partitions"] as? [String] ?? []) == ["system", "vendor", "product"])
        let repository = dir.file("out/yardphone/gravel.git")
        let trees = try Self.partitionTrees(repository)
        #expect(trees == Self.referenceTrees, "the partition trees differ from the plain zip's")
        #expect(try Self.otherFiles(repository) == expected.others)
        let notDumped = (summary["not_dumped"] as? [String] ?? []).map { $0.hasPrefix("samsung.zip:") ? String($0.dropFirst(12)) : $0 }
        #expect(notDumped.sorted() == expected.notDumped.sorted())
        try Tool.check("git", ["--git-dir", repository, "fsck", "--strict"])
    }

    /// Oplus keeps partition images inside vendor (`vendor/euclid/my_product.img`): their trees
    /// replace them in the dump; an `.img` there that is no file system stays a file.
    @Test func euclidImagesInsideVendorAreUnpacked() throws {
        let dir = try TemporaryDirectory("oplus")
        try Tool.check("python3", [TestPaths.fixture("formats/packages.py"), "--out", dir.path, "oplus"])
        let run = try Tool.run(
            TestPaths.dumpyardBinary, ["dump", dir.file("oplus.zip"), "--out", dir.file("out")], environment: ["DUMPYARD_HOME": dir.file("home")])
        try #require(run.status == 0, "\(run.stderr)")
        let repository = dir.file("out/yardphone/gravel.git")
        let lines = try Tool.check("git", ["--git-dir", repository, "ls-tree", "-r", "HEAD", "--", "system", "vendor", "product"]).stdout
            .split(separator: "\n").map(String.init)
        let reference = Self.referenceTrees.split(separator: "\n").map(String.init)
        let added = Set(lines).subtracting(reference).map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        #expect(Set(added) == ["vendor/euclid/my_product/build.prop", "vendor/euclid/notes.img"])
        #expect(Set(reference).isSubset(of: Set(lines)))
        let prop = try Tool.check("git", ["--git-dir", repository, "show", "HEAD:vendor/euclid/my_product/build.prop"]).stdout
        #expect(prop.contains("ro.build.version.ota=GRAVEL_11.F.01"))
    }

    /// The same build from another package shape has other kept files, so another commit: the
    /// refusal says it is the same build, and `--force` replaces the branch.
    @Test func theSameBuildFromAnotherPackageIsNamedSo() throws {
        let dir = try TemporaryDirectory("same-build")
        func dump(_ package: String, _ extra: [String] = []) throws -> ToolOutput {
            try Tool.run(
                TestPaths.dumpyardBinary, ["dump", Self.packages.file(package), "--out", dir.file("out")] + extra,
                environment: ["DUMPYARD_HOME": dir.file("home")])
        }
        #expect(try dump("pixel.zip").status == 0)
        let again = try dump("ota.zip")
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a dump of this build from another package"), "\(again.stderr)")
        let forced = try dump("ota.zip", ["--force", "--json"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("\"status\":\"replaced\""), "\(forced.stdout)")
    }
}
