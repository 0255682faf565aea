import Compression
import DumpCore
import DumpTestSupport
import Foundation
import Staging
import Testing

@Suite struct StagingStoreTests {
    @Test func objectsAreKeyedByGitBlobIdAndStoredOnce() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let ingester = store.makeIngester()
        let first = try ingester.ingest(bytes: Array("hello\n".utf8))
        #expect(first.id.hex == "ce013625030ba8dba906f756967f9e9ca394464a")
        #expect(first.isNew)
        #expect(first.size == 6)
        let again = try ingester.ingest(bytes: Array("hello\n".utf8))
        #expect(again == StoredObject(id: first.id, size: 6, isNew: false))
        #expect(try store.read(first.id) == Array("hello\n".utf8))
        let empty = try ingester.ingest(bytes: [])
        #expect(empty.id.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        #expect(try store.read(empty.id) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("store/tmp")).isEmpty)
    }

    @Test func fileIngestMatchesGitHashObjectAndRefusesSymlinks() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let content = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        try content.write(to: URL(fileURLWithPath: dir.file("big.bin")))
        let stored = try store.makeIngester().ingestFile(at: dir.file("big.bin"))
        let git = try Tool.check("git", ["hash-object", dir.file("big.bin")]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stored.id.hex == git)
        #expect(try Data(store.read(stored.id)) == content)
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: "/etc/passwd")
        #expect(throws: StagingError.self) { _ = try store.makeIngester().ingestFile(at: dir.file("link")) }
    }

    @Test func streamIngestChecksTheDeclaredSizeAndLeavesNothingBehind() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let ingester = store.makeIngester()
        var short = PrefixedSource(prefix: Array("12345".utf8), rest: EmptySource())
        #expect(throws: StagingError.self) { _ = try ingester.ingest(source: &short, size: 10, name: "short") }
        var long = PrefixedSource(prefix: Array("12345".utf8), rest: EmptySource())
        #expect(throws: StagingError.self) { _ = try ingester.ingest(source: &long, size: 3, name: "long") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("store/tmp")).isEmpty)
        var exact = PrefixedSource(prefix: Array("hello\n".utf8), rest: EmptySource())
        let stored = try ingester.ingest(source: &exact, size: 6, name: "exact")
        #expect(stored.id.hex == "ce013625030ba8dba906f756967f9e9ca394464a")
    }

    @Test func concurrentWritersOfOneObjectStoreItOnce() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let content = Array(repeating: Array("same content on every thread\n".utf8), count: 10_000).flatMap { $0 }
        let newCount = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let ingester = store.makeIngester()
            for _ in 0..<20 {
                if let stored = try? ingester.ingest(bytes: content), stored.isNew { newCount.increment() }
            }
        }
        #expect(newCount.value == 1)
        let id = try store.makeIngester().ingest(bytes: content).id
        #expect(try store.read(id) == content)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("store/tmp")).isEmpty)
    }

    @Test func anEmptyLeftoverObjectIsNotTrustedAndGetsReplaced() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let id = try #require(ObjectID(hex: "ce013625030ba8dba906f756967f9e9ca394464a"))
        #expect(FileManager.default.createFile(atPath: store.objectPath(for: id), contents: Data()))
        #expect(!store.contains(id))
        let stored = try store.makeIngester().ingest(bytes: Array("hello\n".utf8))
        #expect(stored.isNew)
        #expect(try store.read(id) == Array("hello\n".utf8))
    }

    @Test func staleTemporariesOfKilledWritersAreSweptWhenTheStoreOpens() throws {
        let dir = try TemporaryDirectory("store")
        _ = try StagingStore(root: dir.file("store"))
        let old = dir.file("store/tmp/ingest-old")
        let fresh = dir.file("store/tmp/ingest-fresh")
        #expect(FileManager.default.createFile(atPath: old, contents: Data("x".utf8)))
        #expect(FileManager.default.createFile(atPath: fresh, contents: Data("x".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86400)], ofItemAtPath: old)
        _ = try StagingStore(root: dir.file("store"))
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: fresh), "a live writer's file stays")
    }

    @Test func storedFormIsOneZlibStreamOfTheContent() throws {
        let dir = try TemporaryDirectory("store")
        let store = try StagingStore(root: dir.file("store"))
        let stored = try store.makeIngester().ingest(bytes: Array("hello\n".utf8))
        let raw = try Data(contentsOf: URL(fileURLWithPath: try store.deflatedObjectPath(for: stored.id)))
        #expect(try ZlibInflater.inflate([UInt8](raw)) == Array("hello\n".utf8))
    }
}

struct EmptySource: ByteSource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
}

final class Counter: @unchecked Sendable {
    // Guarded by `lock`.
    private var count = 0
    private let lock = NSLock()
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
