import DumpCore
import DumpTestSupport
import Foundation
import Git
import Publishing
import Staging
import Synchronization
import Testing

@Suite struct DumpRepositoryTests {
    init() { GitLibrary.initialize() }

    static func manifest(store: StagingStore, extra: String = "") throws -> Manifest {
        let ingester = store.makeIngester()
        func add(_ path: String, _ content: String, _ mode: FileMode = .regular) throws -> ManifestEntry {
            let stored = try ingester.ingest(bytes: Array(content.utf8))
            return ManifestEntry(path: RepoPath(path), mode: mode, id: stored.id, size: stored.size)
        }
        return try Manifest([
            try add("system/system/build.prop", "ro.product.device=gravel\n" + extra),
            try add("system/system/bin/sh", "\u{7F}ELF", .executable),
            try add("system/bin", "/system/bin", .symlink),
            try add("vendor/empty", ""),
            try add("README.md", "## gravel\n"),
        ])
    }

    @Test func commitsAreDeterministicAndFsckClean() throws {
        let dir = try TemporaryDirectory("repo")
        let store = try StagingStore(root: dir.file("store"))
        let manifest = try Self.manifest(store: store)
        let identity = CommitIdentity(date: 1_700_000_000)
        let a = try DumpRepository(path: dir.file("a.git"))
        let first = try a.commit(manifest, from: store, branch: "gravel-user-14", message: "gravel-user 14", identity: identity, force: false)
        #expect(first.packedObjects == 5)
        let b = try DumpRepository(path: dir.file("b.git"))
        let second = try b.commit(manifest, from: store, branch: "gravel-user-14", message: "gravel-user 14", identity: identity, force: false)
        #expect(first.commit == second.commit)
        try Tool.check("git", ["--git-dir", dir.file("a.git"), "fsck", "--strict"])
        let tree = try Tool.check("git", ["--git-dir", dir.file("a.git"), "ls-tree", "-r", "gravel-user-14"]).stdout
        #expect(tree.contains("120000 blob"))
        #expect(tree.contains("100755 blob"))
        #expect(try Tool.check("git", ["--git-dir", dir.file("a.git"), "symbolic-ref", "HEAD"]).stdout == "refs/heads/gravel-user-14\n")
    }

    @Test func sameBuildIsUnchangedOtherBuildNeedsForceAndOnlyNewObjectsArePacked() throws {
        let dir = try TemporaryDirectory("repo")
        let store = try StagingStore(root: dir.file("store"))
        let repo = try DumpRepository(path: dir.file("r.git"))
        let identity = CommitIdentity(date: 1_700_000_000)
        let one = try Self.manifest(store: store)
        let first = try repo.commit(one, from: store, branch: "b1", message: "one", identity: identity, force: false)
        #expect(first.change == .created)
        let again = try repo.commit(one, from: store, branch: "b1", message: "one", identity: identity, force: false)
        #expect(again.change == .unchanged)
        #expect(again.commit == first.commit)
        // Another build whose name maps to the same branch must not overwrite it silently.
        let error = #expect(throws: PublishingError.self) {
            _ = try repo.commit(one, from: store, branch: "b1", message: "one, rebuilt", identity: identity, force: false)
        }
        #expect(error?.description.contains("already holds a different build") == true)
        #expect(try repo.branchTarget("b1") == first.commit)
        let forced = try repo.commit(one, from: store, branch: "b1", message: "one, rebuilt", identity: identity, force: true)
        #expect(forced.change == .replaced)
        #expect(forced.packedObjects == 0)
        #expect(try repo.branchTarget("b1") == forced.commit)
        let two = try Self.manifest(store: store, extra: "ro.build.id=NEXT\n")
        let next = try repo.commit(two, from: store, branch: "b2", message: "two", identity: identity, force: false)
        #expect(next.packedObjects == 1)
        #expect(try repo.branches() == ["b1", "b2"])
        // HEAD stays on the first branch.
        #expect(try Tool.check("git", ["--git-dir", dir.file("r.git"), "symbolic-ref", "HEAD"]).stdout == "refs/heads/b1\n")
        try Tool.check("git", ["--git-dir", dir.file("r.git"), "fsck", "--strict"])
    }

    @Test func concurrentFirstDumpsOfOneDeviceAllSucceed() throws {
        let dir = try TemporaryDirectory("repo")
        let store = try StagingStore(root: dir.file("store"))
        let manifest = try Self.manifest(store: store)
        let changes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let repo = try DumpRepository(path: dir.file("new.git"))
                let outcome = try repo.commit(manifest, from: store, branch: "b", message: "m", identity: CommitIdentity(date: 0), force: false)
                changes.withLock { $0.append("\(outcome.change)") }
            } catch {
                changes.withLock { $0.append("error: \(error)") }
            }
        }
        let results = changes.withLock { $0 }
        #expect(results.filter { $0 == "created" }.count == 1, "\(results)")
        #expect(results.filter { $0 == "unchanged" }.count == 3, "\(results)")
        try Tool.check("git", ["--git-dir", dir.file("new.git"), "fsck", "--strict"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func aBlobMissingFromTheStoreFailsWithoutABranch() throws {
        let dir = try TemporaryDirectory("repo")
        let store = try StagingStore(root: dir.file("store"))
        let repo = try DumpRepository(path: dir.file("r.git"))
        var entries = try Self.manifest(store: store).entries
        entries.append(ManifestEntry(path: RepoPath("ghost"), mode: .regular, id: try #require(ObjectID(hex: String(repeating: "ab", count: 20))), size: 3))
        #expect(throws: (any Error).self) {
            _ = try repo.commit(try Manifest(entries), from: store, branch: "b", message: "m", identity: CommitIdentity(date: 0), force: false)
        }
        #expect(try repo.branchTarget("b") == nil)
    }

    @Test func bundleClonesAndChecksOut() throws {
        let dir = try TemporaryDirectory("repo")
        let store = try StagingStore(root: dir.file("store"))
        let repo = try DumpRepository(path: dir.file("r.git"))
        let outcome = try repo.commit(
            try Self.manifest(store: store), from: store, branch: "gravel-user-14", message: "m",
            identity: CommitIdentity(date: 1_700_000_000), force: false)
        let (commit, objects) = try repo.writeBundle(branch: "gravel-user-14", to: dir.file("d.bundle"))
        #expect(commit == outcome.commit)
        #expect(objects == 11, "5 blobs, 5 trees, 1 commit")
        let heads = try Tool.check("git", ["bundle", "list-heads", dir.file("d.bundle")]).stdout
        #expect(heads.contains("\(commit.hex) refs/heads/gravel-user-14"))
        #expect(heads.contains("\(commit.hex) HEAD"))
        try Tool.check("git", ["clone", "-q", dir.file("d.bundle"), dir.file("clone")])
        try Tool.check("git", ["-C", dir.file("clone"), "fsck", "--strict"])
        #expect(try String(contentsOfFile: dir.file("clone/system/system/build.prop"), encoding: .utf8) == "ro.product.device=gravel\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("clone/system/bin")) == "/system/bin")
        #expect(throws: PublishingError.self) { _ = try repo.writeBundle(branch: "missing", to: dir.file("x.bundle")) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.bundle")))
    }
}
