import DumpCore
import Testing

/// Manifest decoding and validation: incremental payloads, unsafe names, hostile sizes and extents.
@Suite struct PayloadPlanTests {
    typealias Op = ManifestBytes.Op
    typealias Part = ManifestBytes.Part

    static func plan(_ parts: [Part], dataArea: UInt64 = 1 << 20, minor: UInt64? = nil, partial: Bool = false) throws -> PayloadPlan {
        let manifest = try PayloadManifest.decode(ManifestBytes.manifest(parts, minor: minor, partial: partial))
        return try PayloadPlan(manifest: manifest, dataAreaSize: dataArea)
    }

    static func failure(_ parts: [Part], dataArea: UInt64 = 1 << 20, minor: UInt64? = nil, partial: Bool = false) -> String {
        do {
            _ = try plan(parts, dataArea: dataArea, minor: minor, partial: partial)
            return "no error"
        } catch let error as PayloadFormatError {
            return error.cause
        } catch {
            return "\(error)"
        }
    }

    @Test func decodesEveryFieldExtractionUses() throws {
        let hash = [UInt8](repeating: 7, count: 32)
        let parts = [
            Part(
                name: "vendor", size: 4096 * 10, hash: hash,
                ops: [
                    Op(type: 8, dataOffset: 5, dataLength: 100, dst: [(0, 2), (5, 3)], hash: hash),
                    Op(type: 6, dataLength: 0, dst: [(2, 3)]),
                ], hashTree: (8, 1), fec: (9, 1))
        ]
        let manifest = try PayloadManifest.decode(ManifestBytes.manifest(parts))
        #expect(manifest.blockSize == 4096)
        #expect(manifest.minorVersion == 0)
        let p = try #require(manifest.partitions.first)
        #expect(p.name == "vendor")
        #expect(p.newSize == 40960)
        #expect(p.newHash == hash)
        #expect(p.operations.count == 2)
        #expect(p.operations[0].type == .replaceXz)
        #expect(p.operations[0].dataOffset == 5 && p.operations[0].dataLength == 100)
        #expect(p.operations[0].destinationExtents == [PayloadExtent(startBlock: 0, blockCount: 2), PayloadExtent(startBlock: 5, blockCount: 3)])
        #expect(p.operations[0].dataSHA256 == hash)
        #expect(p.hashTreeExtent == PayloadExtent(startBlock: 8, blockCount: 1))
        #expect(p.fecExtent == PayloadExtent(startBlock: 9, blockCount: 1))

        let plan = try PayloadPlan(manifest: manifest, dataAreaSize: 1000)
        #expect(plan.totalDecodedBytes == 5 * 4096)
        #expect(plan.diskBytesNeeded == 7 * 4096)
        // Blocks 8 and 9 (hash tree, FEC) are written by no operation.
        #expect(plan.partitions[0].wholeImageHashApplies == false)
    }

    @Test func hashTreeWrittenByOperationsKeepsTheImageHash() throws {
        let plan = try Self.plan([Part(size: 4096 * 4, ops: [Op(dst: [(0, 2)]), Op(dataOffset: 4096, dst: [(2, 2)])], hashTree: (2, 1), fec: (3, 1))])
        #expect(plan.partitions[0].wholeImageHashApplies)
    }

    // extraction.md §6 rows 16 and 17: incrementals are refused up front, naming the operation.
    @Test(arguments: [(4, "SOURCE_COPY"), (5, "SOURCE_BSDIFF"), (10, "BROTLI_BSDIFF"), (9, "PUFFDIFF"), (11, "ZUCCHINI"), (99, "unknown operation type 99")])
    func incrementalOperationsAreRefused(type: UInt64, name: String) {
        let cause = Self.failure([Part(name: "boot"), Part(name: "system", ops: [Op(), Op(type: type, dataOffset: 4096, dst: [(1, 1)], src: [(0, 1)])])])
        #expect(cause == "incremental OTA: partition system operation 1 is \(name); it needs the source images")
    }

    @Test func otherIncrementalMarkersAreRefused() {
        #expect(Self.failure([Part()], minor: 8).contains("incremental OTA: manifest minor version 8"))
        #expect(Self.failure([Part()], partial: true).contains("incremental OTA: the manifest is a partial update"))
        #expect(Self.failure([Part(ops: [Op(src: [(0, 1)])])]).contains("incremental OTA: partition system operation 0 is REPLACE"))
    }

    @Test(arguments: ["", ".", "..", "../etc", "a/b", "sys tem", "böot", String(repeating: "x", count: 200)])
    func unsafeNamesAreRefused(name: String) {
        #expect(Self.failure([Part(name: name)]).contains("unsafe partition name"))
    }

    @Test func duplicateNamesAreRefused() {
        #expect(Self.failure([Part(), Part()]).contains("listed twice"))
    }

    @Test(arguments: [
        ([Part(size: 1 << 40)], "more than the 64 GiB limit"),
        ([Part(size: nil)], "no new_partition_info size"),
        ([Part(ops: [Op(dst: [(16, 1)])])], "outside the partition's 16 blocks"),
        ([Part(ops: [Op(dst: [(UInt64.max, 2)])])], "outside the partition"),
        ([Part(ops: [Op(dst: [(3, 0)])])], "outside the partition"),
        ([Part(ops: [Op(dst: [])])], "no destination extents"),
        ([Part(ops: [Op(dataOffset: 1 << 20)])], "lies outside the payload"),
        ([Part(ops: [Op(dataOffset: UInt64.max, dataLength: 2)])], "lies outside the payload"),
        ([Part(ops: [Op(dataLength: 0)])], "lies outside the payload"),
        ([Part(ops: [Op(dataLength: 8192)])], "carries 8192 bytes for 4096 bytes"),
        ([Part(ops: [Op(dst: [(0, 2)]), Op(dataOffset: 4096, dst: [(1, 1)])])], "operations 0 and 1 both write block 1"),
        ([Part(hash: [1, 2, 3])], "3-byte hash"),
        ([Part(ops: [Op(hash: [1])])], "1-byte data hash"),
        ([Part(hashTree: (100, 1))], "outside its 16 blocks"),
    ] as [([Part], String)])
    func hostileManifestsAreRefused(parts: [Part], fragment: String) {
        let cause = Self.failure(parts)
        #expect(cause.contains(fragment), "\(cause)")
    }

    @Test func badBlockSizeIsRefused() throws {
        let manifest = try PayloadManifest.decode(ManifestBytes.manifest([Part()], blockSize: 1000))
        #expect(throws: PayloadFormatError.self) { try PayloadPlan(manifest: manifest, dataAreaSize: 1 << 20) }
    }

    @Test func decodeErrorsCarryPayloadOffsets() {
        let error = #expect(throws: PayloadFormatError.self) { try PayloadManifest.decode([0x6A, 0x7F, 0x00]) }
        #expect(error?.offset == 24)
    }
}
