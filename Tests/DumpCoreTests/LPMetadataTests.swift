import DumpCore
import Testing

/// LP structures built byte by byte here; a stand-in hash (not SHA-256) is enough for the pure
/// parser, which takes its hash function as a parameter. Real SHA-256 images: SuperImageTests.
@Suite("LP metadata")
struct LPMetadataTests {
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return (0..<32).map { UInt8(truncatingIfNeeded: (h &* UInt64($0 + 1)) >> 24) }
    }

    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    static func name(_ s: String) -> [UInt8] { Array(s.utf8) + [UInt8](repeating: 0, count: 36 - s.utf8.count) }

    static func geometry(maxSize: UInt64 = 65536, slots: UInt64 = 2, blockSize: UInt64 = 4096, structSize: UInt64 = 52) -> [UInt8] {
        var g = le(0x616C_4467, 4) + le(structSize, 4) + [UInt8](repeating: 0, count: 32) + le(maxSize, 4) + le(slots, 4) + le(blockSize, 4)
        g += [UInt8](repeating: 0, count: max(0, Int(structSize) - 52))
        g.replaceSubrange(8..<40, with: hash(g))
        return g + [UInt8](repeating: 0, count: 4096 - g.count)
    }

    struct Part { var name: String; var first: UInt64 = 0; var count: UInt64 = 0; var group: UInt64 = 0; var attributes: UInt64 = 0 }
    struct Ext { var sectors: UInt64; var type: UInt64 = 0; var sector: UInt64; var device: UInt64 = 0 }

    static func slot(
        _ parts: [Part], _ extents: [Ext], minor: UInt64 = 0, flags: UInt64 = 0, pad: Int = 0, deviceSize: UInt64 = 1 << 30,
        firstSector: UInt64 = 2048, partitionCount: UInt64? = nil, partitionEntrySize: UInt64? = nil, headerSize: UInt64? = nil
    ) -> [UInt8] {
        let padding = [UInt8](repeating: 0, count: pad)
        var p: [UInt8] = []
        for part in parts {
            p += name(part.name)
            p += le(part.attributes, 4) + le(part.first, 4)
            p += le(part.count, 4) + le(part.group, 4)
            p += padding
        }
        var e: [UInt8] = []
        for extent in extents {
            e += le(extent.sectors, 8) + le(extent.type, 4)
            e += le(extent.sector, 8) + le(extent.device, 4)
            e += padding
        }
        let g = name("default") + le(0, 4) + le(0, 8) + padding
        let d = le(firstSector, 8) + le(1 << 20, 4) + le(0, 4) + le(deviceSize, 8) + name("super") + le(0, 4) + padding
        let tables = p + e + g + d
        let size = headerSize ?? (minor >= 2 ? 256 : 128)
        var h = le(0x414C_5030, 4) + le(10, 2) + le(minor, 2) + le(size, 4) + [UInt8](repeating: 0, count: 32)
        h += le(UInt64(tables.count), 4) + hash(tables)
        h += le(0, 4) + le(partitionCount ?? UInt64(parts.count), 4) + le(partitionEntrySize ?? UInt64(52 + pad), 4)
        h += le(UInt64(p.count), 4) + le(UInt64(extents.count), 4) + le(UInt64(24 + pad), 4)
        h += le(UInt64(p.count + e.count), 4) + le(1, 4) + le(UInt64(48 + pad), 4)
        h += le(UInt64(p.count + e.count + g.count), 4) + le(1, 4) + le(UInt64(64 + pad), 4)
        if size > 128 { h += le(flags, 4) + [UInt8](repeating: 0, count: Int(size) - 132) }
        h.replaceSubrange(12..<44, with: hash(h))
        return h + tables
    }

    static func parse(_ bytes: [UInt8], geometry: [UInt8] = geometry()) throws(LPError) -> LPMetadata {
        let g = try LPGeometry(parsing: geometry, at: 4096, sha256: hash)
        return try LPMetadata(parsing: bytes, at: 12288, geometry: g, sha256: hash)
    }

    @Test func geometryFields() throws {
        let g = try LPGeometry(parsing: Self.geometry(slots: 3), at: 4096, sha256: Self.hash)
        #expect(g == LPGeometry(metadataMaxSize: 65536, metadataSlotCount: 3, logicalBlockSize: 4096))
        #expect(LPLayout.primaryMetadataOffset(g, slot: 1) == 12288 + 65536)
        #expect(LPLayout.backupMetadataOffset(g, slot: 0) == 12288 + 3 * 65536)
        // A larger struct (a future field) is accepted and hashed whole.
        #expect(throws: Never.self) { try LPGeometry(parsing: Self.geometry(structSize: 60), at: 0, sha256: Self.hash) }
    }

    @Test(arguments: [
        (geometry(maxSize: 1000), "invalid LP metadata max size 1000"),
        (geometry(maxSize: 1 << 30), "invalid LP metadata max size"),
        (geometry(slots: 0), "has no metadata slot"),
        (geometry(blockSize: 1000), "invalid LP logical block size 1000"),
        (geometry(structSize: 40), "invalid LP geometry struct size 40"),
        ([UInt8](repeating: 0, count: 4096), "invalid LP geometry magic"),
        (Array(geometry().prefix(30)), "truncated"),
    ])
    func badGeometry(bytes: [UInt8], fragment: String) {
        let error = #expect(throws: LPError.self) { try LPGeometry(parsing: bytes, at: 4096, sha256: Self.hash) }
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func geometryChecksumIsChecked() {
        var g = Self.geometry()
        g[44] = 3
        let error = #expect(throws: LPError.self) { try LPGeometry(parsing: g, at: 4096, sha256: Self.hash) }
        #expect(error == LPError(offset: 4104, cause: "LP geometry checksum mismatch"))
    }

    @Test func abPartitionsLoseTheirSuffix() throws {
        let parts = [Part(name: "system_a", first: 0, count: 2), Part(name: "system_b"), Part(name: "vendor_a", first: 2, count: 1), Part(name: "vendor_b")]
        let extents = [Ext(sectors: 8, sector: 4096), Ext(sectors: 16, type: 1, sector: 0), Ext(sectors: 8, sector: 2048)]
        let metadata = try Self.parse(Self.slot(parts, extents, minor: 2, flags: 1))
        #expect(metadata.header.isVirtualAB)
        #expect(try metadata.dataPartitions().map(\.name) == ["system", "vendor"])
        #expect(metadata.imageExtents(of: metadata.partitions[0]) == [.data(at: 4096 * 512, length: 4096), ImageExtent(length: 8192, source: .zero)])
    }

    @Test func bothSlotsWithDataPicksTheSlotsSuffix() throws {
        let parts = [Part(name: "odm_a", first: 0, count: 1), Part(name: "odm_b", first: 1, count: 1), Part(name: "x", first: 0, count: 1)]
        let extents = [Ext(sectors: 8, sector: 4096), Ext(sectors: 8, sector: 8192)]
        let metadata = try Self.parse(Self.slot(parts, extents))
        #expect(try metadata.dataPartitions(slot: 0).map(\.entry.name) == ["odm_a", "x"])
        #expect(try metadata.dataPartitions(slot: 1).map(\.entry.name) == ["odm_b", "x"])
        let twice = try Self.parse(Self.slot([Part(name: "odm", first: 0, count: 1), Part(name: "odm_a", first: 1, count: 1)], extents))
        let error = #expect(throws: LPError.self) { try twice.dataPartitions() }
        #expect(error?.cause == "LP partition name odm appears twice (odm, odm_a)")
    }

    @Test func widerEntriesAreReadByTheirKnownPrefix() throws {
        let metadata = try Self.parse(Self.slot([Part(name: "system", first: 0, count: 1)], [Ext(sectors: 8, sector: 4096)], pad: 12))
        #expect(metadata.partitions.map(\.name) == ["system"])
        #expect(metadata.extents.map(\.sectorCount) == [8])
        #expect(metadata.extents.map(\.target) == [.linear(sector: 4096, device: 0)])
    }

    static let one = [Part(name: "system", first: 0, count: 1)]
    static let ext = [Ext(sectors: 8, sector: 4096)]

    @Test(arguments: [
        (slot(one, ext, partitionCount: 0xFFFF_FFFF), "LP partition table (4294967295 entries of 52 bytes at 0) does not fit"),
        (slot(one, ext, partitionEntrySize: 40), "partition table entry size 40 is smaller than 52"),
        (slot(one, ext, minor: 2, headerSize: 128), "invalid LP metadata header size 128 for version 10.2"),
        (slot(one, ext, minor: 3), "unsupported LP metadata version 10.3"),
        (slot([Part(name: "system", first: 1, count: 1)], ext), "uses extents 1..<2 of 1"),
        (slot([Part(name: "system", first: 0, count: 1, group: 1)], ext), "invalid group index 1"),
        (slot([Part(name: "system", first: 0, count: 1, attributes: 0x10)], ext), "unknown attributes 0x10"),
        (slot(one, [Ext(sectors: 8, type: 2, sector: 4096)]), "unknown target type 2"),
        (slot(one, [Ext(sectors: 8, sector: 4096, device: 1)]), "partition system lives on block device 1; split (retrofit) supers are not supported"),
        (slot(one, [Ext(sectors: 8, sector: (1 << 30) / 512 - 4)]), "outside the 1073741824-byte block device"),
        (slot(one, [Ext(sectors: UInt64.max / 512, sector: 4096)]), "outside"),
        (slot(one, [Ext(sectors: UInt64.max, sector: 4096)]), "overflows"),
        (slot(one, ext, firstSector: 8), "overlaps the metadata"),
        (slot([Part(name: "")], []), "not NUL-terminated printable ASCII"),
        (slot([Part(name: "a/b")], []), "not NUL-terminated printable ASCII"),
        (Array(slot(one, ext).prefix(100)), "header is truncated"),
        (Array(slot(one, ext).dropLast(10)), "tables are truncated"),
    ])
    func rejectsBadMetadata(bytes: [UInt8], fragment: String) {
        let error = #expect(throws: LPError.self) { try Self.parse(bytes) }
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.offset != nil)
    }

    @Test func checksumsAreChecked() {
        var header = Self.slot(Self.one, Self.ext)
        header[6] = 1
        #expect((#expect(throws: LPError.self) { try Self.parse(header) })?.cause == "LP metadata header checksum mismatch")
        var tables = Self.slot(Self.one, Self.ext)
        tables[130] ^= 1
        #expect((#expect(throws: LPError.self) { try Self.parse(tables) })?.cause == "LP metadata tables checksum mismatch")
    }
}
