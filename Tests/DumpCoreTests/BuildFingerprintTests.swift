import DumpCore
import Testing

@Suite struct BuildFingerprintTests {
    @Test func aFingerprintNamesItsSubgroupProjectAndBranch() throws {
        let build = try #require(BuildFingerprint("Yardphone/gravel/gravel:14/UP1A.231005.007/10754064:user/release-keys"))
        #expect(build.subgroup == "yardphone" && build.project == "gravel")
        #expect(build.branch == "gravel-user-14-UP1A.231005.007-10754064-release-keys", "the sample's branch")
        let pixel = try #require(BuildFingerprint("google/blueline/blueline:11/RQ2A.210405.006/7214111:user/release-keys"))
        #expect(pixel.branch == "blueline-user-11-RQ2A.210405.006-7214111-release-keys", "reference/git.md §4.3's example")
    }

    @Test(arguments: ["", "a/b/c", "a/b/c:1/d/e:f", "a/b/c:1/d/e:f/g/h", "a//c:1/d/e:f/g", "a b/b/c:1/d/e:f/g", "xiaomi/fuxi"])
    func otherTextIsNotAFingerprint(_ text: String) {
        #expect(BuildFingerprint(text) == nil)
    }
}
