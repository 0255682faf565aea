import DumpTestSupport
import Foundation
import Git
import Testing

@Suite struct GitTests {
    init() { GitLibrary.initialize() }

    @Test func treeAndCommitFromIndexPassFsck() throws {
        let dir = try TemporaryDirectory("git")
        let path = dir.file("repo.git")
        let repo = try GitRepository.openOrCreateBare(at: path)
        #expect(repo.isHeadUnborn)
        let hello = try hashObject("hello\n", repo: path)
        let target = try hashObject("hello.txt", repo: path)
        let tree = try repo.writeTree([
            GitTreeEntry(path: Array("a/b/c/hello.txt".utf8), mode: 0o100644, id: hello),
            GitTreeEntry(path: Array("a/run.sh".utf8), mode: 0o100755, id: hello),
            GitTreeEntry(path: Array("a/b/c/link".utf8), mode: 0o120000, id: target),
            GitTreeEntry(path: Array("système/名前".utf8), mode: 0o100644, id: hello),
        ])
        let signature = GitSignature(name: "dumpyard", email: "dumpyard@localhost", time: 1_700_000_000)
        let commit = try repo.createCommit(tree: tree, message: "gravel-user 14", author: signature, committer: signature)
        try repo.setReference("refs/heads/gravel-user-14", to: commit, force: false, logMessage: "test")
        try repo.setHead("refs/heads/gravel-user-14")
        #expect(try repo.referenceTarget("refs/heads/gravel-user-14") == commit)
        #expect(try repo.referenceTarget("refs/heads/missing") == nil)
        #expect(try repo.branchNames() == ["gravel-user-14"])
        #expect(throws: GitError.self) { try repo.setReference("refs/heads/gravel-user-14", to: commit, force: false, logMessage: "again") }

        try Tool.check("git", ["-C", path, "fsck", "--strict"])
        let listing = try Tool.check("git", ["-C", path, "ls-tree", "-r", "HEAD"]).stdout
        #expect(listing.contains("120000 blob \(target.hex)\ta/b/c/link"))
        #expect(listing.contains("100755 blob \(hello.hex)\ta/run.sh"))
        let date = try Tool.check("git", ["-C", path, "log", "-1", "--format=%at %an %s"]).stdout
        #expect(date == "1700000000 dumpyard gravel-user 14\n")
    }

    @Test(arguments: [
        ("refs/heads/gravel-user-14-UP1A.231005.007-10754064-release-keys", true),
        ("refs/heads/a..b", false), ("refs/heads/x.lock", false), ("refs/heads/a b", false),
        ("refs/heads/.hidden", false), ("refs/heads/a:b", false),
    ])
    func referenceNameValidity(name: String, valid: Bool) {
        #expect(GitRepository.isValidReferenceName(name) == valid)
    }

    private func hashObject(_ content: String, repo: String) throws -> GitObjectID {
        let out = try Tool.run("git", ["--git-dir", repo, "hash-object", "-w", "--stdin"], input: Data(content.utf8))
        let hex = Array(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        try #require(hex.count == 40)
        let value: (UInt8) -> UInt8 = { $0 >= 97 ? $0 - 87 : $0 - 48 }
        return GitObjectID(bytes: stride(from: 0, to: 40, by: 2).map { value(hex[$0]) << 4 | value(hex[$0 + 1]) })
    }
}
