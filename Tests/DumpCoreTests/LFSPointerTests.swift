import DumpCore
import Testing

@Suite struct LFSPointerTests {
    @Test func thePointerIsTheCanonicalText() {
        let pointer = LFSPointer(oid: String(repeating: "ab", count: 32), size: 52_428_800)
        #expect(String(decoding: pointer.bytes, as: UTF8.self) == """
            version https://git-lfs.github.com/spec/v1
            oid sha256:\(String(repeating: "ab", count: 32))
            size 52428800

            """)
    }

    @Test func attributesAreAnchoredEscapedAndSorted() {
        let file = LFSAttributes.file(for: [RepoPath("vendor/fw [v2]*.bin"), RepoPath("system/app/big.apk")])
        #expect(String(decoding: file, as: UTF8.self) == """
            /system/app/big.apk filter=lfs diff=lfs merge=lfs -text
            /vendor/fw[[:space:]]\\[v2\\]\\*.bin filter=lfs diff=lfs merge=lfs -text

            """)
    }
}
