import DumpCore
import DumpTestSupport
import Firmware
import Foundation
import Synchronization
import Testing

/// Full-OTA payload extraction against payloads written by fixtures/formats/payload.py, compared
/// byte for byte with the source images.
@Suite struct PayloadExtractorTests {
    static func extract(_ payload: String, into dir: TemporaryDirectory, threads: Int = 2) throws -> [ExtractedPartition] {
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        return try PayloadExtractor(payload: PayloadFixtures.slice(payload)).extract(into: out, threads: threads) { _, _ in }
    }

    static func expectIdentical(_ results: [ExtractedPartition], _ images: [(name: String, path: String)]) throws {
        #expect(results.map(\.name) == images.map(\.name))
        for (result, image) in zip(results, images) {
            let expected = try Data(contentsOf: URL(fileURLWithPath: image.path))
            #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected, "\(result.name)")
            #expect(result.size == UInt64(expected.count))
        }
    }

    /// Every full operation type, multi-extent operations (§6 row 22: all extents written, in
    /// order), ZSTD (row 15), a REPLACE blob shorter than its extents, an unaligned image end,
    /// read in place from a stored zip member.
    @Test(arguments: [1, 2, 3])
    func extractsEveryFullOperationType(threads: Int) throws {
        let dir = try TemporaryDirectory("payload")
        let images = try PayloadFixtures.makeImages(in: dir, unalignedVendor: true)
        let zip = try PayloadFixtures.payload(in: dir, images: images, options: ["--policy", "mixed", "--multi-extent", "--trim-replace-tail"], zip: true)
        let done = Mutex<(calls: Int, last: UInt64, total: UInt64)>((0, 0, 0))
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let extractor = try PayloadExtractor(payload: PayloadFixtures.slice(zip))
        #expect(extractor.partitions.map(\.name) == ["system", "vendor", "boot"])
        #expect(extractor.partitions.map(\.size) == [3 << 20, (1 << 20) + 1000, 512 << 10])
        let types = Set(extractor.plan.partitions.flatMap { $0.update.operations.map(\.type.description) })
        #expect(types == ["REPLACE", "REPLACE_BZ", "REPLACE_XZ", "ZSTD", "ZERO", "DISCARD"])
        #expect(extractor.plan.partitions.contains { $0.update.operations.contains { $0.destinationExtents.count > 1 } })
        let results = try extractor.extract(into: out, threads: threads) { doneBytes, total in
            done.withLock { $0 = ($0.calls + 1, max($0.last, doneBytes), total) }
        }
        try Self.expectIdentical(results, images)
        #expect(results.allSatisfy { $0.hashChecked })
        let progress = done.withLock { $0 }
        #expect(progress.calls > 0 && progress.last == progress.total && progress.total == extractor.plan.totalDecodedBytes)
    }

    /// §6 row 14: blobs past 4 GiB in a sparse payload file.
    @Test func readsDataOffsetsBeyond4GiB() throws {
        let dir = try TemporaryDirectory("payload")
        let images = try PayloadFixtures.makeImages(in: dir)
        let payload = try PayloadFixtures.payload(in: dir, images: images, options: ["--policy", "xz", "--gap", "\(5 << 30)"])
        let extractor = try PayloadExtractor(payload: PayloadFixtures.slice(payload))
        let offsets = try #require(extractor.plan.partitions.last?.update.operations.filter { $0.type.carriesData }.map(\.dataOffset))
        #expect(!offsets.isEmpty && offsets.allSatisfy { $0 > 1 << 32 })
        try Self.expectIdentical(try Self.extract(payload, into: dir), images)
    }

    /// Virtual A/B: hash-tree and FEC blocks no operation writes; the image hash is not held against it.
    @Test func virtualABHashTreeLeftToTheDevice() throws {
        let dir = try TemporaryDirectory("payload")
        let images = try PayloadFixtures.makeImages(in: dir)
        let payload = try PayloadFixtures.payload(in: dir, images: images, options: ["--policy", "smallest", "--vab", "vendor"])
        let results = try Self.extract(payload, into: dir)
        #expect(results.map(\.hashChecked) == [true, false, true])
        let expected = try Data(contentsOf: URL(fileURLWithPath: images[1].path))
        let actual = try Data(contentsOf: URL(fileURLWithPath: results[1].path))
        #expect(actual.count == expected.count)
        #expect(actual.prefix(expected.count - 8192) == expected.prefix(expected.count - 8192))
        #expect(actual.suffix(8192).allSatisfy { $0 == 0 })
    }

    /// §6 rows 16–17: incremental payloads fail in init, naming partition, operation and type; nothing is written.
    @Test(arguments: [("incremental", "SOURCE_COPY"), ("incremental-bsdiff", "SOURCE_BSDIFF")])
    func incrementalPayloadsAreRefusedUpFront(variant: String, type: String) throws {
        let dir = try TemporaryDirectory("payload")
        let images = try PayloadFixtures.makeImages(in: dir)
        let payload = try PayloadFixtures.payload(in: dir, images: images, options: ["--variant", variant])
        let error = #expect(throws: FirmwareError.self) { try PayloadExtractor(payload: PayloadFixtures.slice(payload)) }
        #expect(error?.cause.hasPrefix("incremental OTA: partition system operation ") == true)
        #expect(error?.cause.contains("is \(type); it needs the source images") == true, "\(String(describing: error))")
    }

    /// Broken and hostile payloads fail fast with a message naming the problem; no image is left behind.
    @Test(arguments: [
        ("bad-magic", "no CrAU magic"),
        ("version1", "version 1 (Chrome OS)"),
        ("manifest-lies", "payload is truncated: manifest and signature end at"),
        ("extent-outside", "outside the partition's"),
        ("huge-partition", "claims 1099511627776 bytes, more than the 64 GiB limit"),
        ("truncated", "lies outside the payload"),
        ("bad-blob-hash", "partition system operation 0 (REPLACE_XZ): blob SHA-256 does not match the manifest"),
        ("bad-partition-hash", "partition system: the extracted image's SHA-256 does not match the manifest"),
    ])
    func hostilePayloadsFailClearly(variant: String, fragment: String) throws {
        let dir = try TemporaryDirectory("payload")
        let images = try PayloadFixtures.makeImages(in: dir)
        let payload = try PayloadFixtures.payload(in: dir, images: images, options: ["--policy", "xz", "--variant", variant])
        let started = ContinuousClock.now
        let error = #expect(throws: FirmwareError.self) { _ = try Self.extract(payload, into: dir) }
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.file == "payload.bin")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).isEmpty)
    }

    /// A payload cut inside its data: the blob ranges no longer fit, refused before any work.
    @Test func truncatedInsideTheManifestIsRefused() throws {
        let dir = try TemporaryDirectory("payload")
        let payload = try PayloadFixtures.payload(in: dir, images: try PayloadFixtures.makeImages(in: dir))
        try FileHandle(forWritingTo: URL(fileURLWithPath: payload)).truncate(atOffset: 100)
        let error = #expect(throws: FirmwareError.self) { try PayloadExtractor(payload: PayloadFixtures.slice(payload)) }
        #expect(error?.cause.contains("payload is truncated") == true, "\(String(describing: error))")
        #expect(error?.offset == 12)
    }
}
