@testable import Publishing
import Testing

@Suite struct PackFileTests {
    @Test(arguments: [
        (0, [0x30]), (15, [0x3F]), (16, [0xB0, 0x01]), (0x12345, [0xB5, 0xB4, 0x24]),
        (1 << 40, [0xB0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]),
    ] as [(UInt64, [UInt8])])
    func entryHeaderEncodesTypeAndSize(size: UInt64, expected: [UInt8]) {
        #expect(PackFile.entryHeader(type: 3, size: size) == expected)
    }

    @Test func indexUsesTheLargeOffsetTableAbove2GiB() {
        let a = [UInt8](repeating: 0x01, count: 20)
        let b = [UInt8](repeating: 0x80, count: 20)
        let c = [UInt8](repeating: 0xFF, count: 20)
        let index = PackFile.index([
            .init(id: c, crc32: 3, offset: 0x1_0000_0005),
            .init(id: a, crc32: 1, offset: 12),
            .init(id: b, crc32: 2, offset: 0x8000_0000),
        ], packChecksum: [UInt8](repeating: 0xAB, count: 20))
        func be32(_ at: Int) -> UInt32 { index[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        #expect(Array(index[0..<8]) == [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2])
        #expect(be32(8 + 4 * 0x00) == 0)
        #expect(be32(8 + 4 * 0x01) == 1)
        #expect(be32(8 + 4 * 0x80) == 2)
        #expect(be32(8 + 4 * 0xFF) == 3)
        let ids = 8 + 1024
        #expect(Array(index[ids..<(ids + 20)]) == a)
        let crcs = ids + 60
        #expect([be32(crcs), be32(crcs + 4), be32(crcs + 8)] == [1, 2, 3])
        let offsets = crcs + 12
        #expect(be32(offsets) == 12)
        #expect(be32(offsets + 4) == 0x8000_0000, "first large-offset slot")
        #expect(be32(offsets + 8) == 0x8000_0001, "second large-offset slot")
        let large = offsets + 12
        #expect(Array(index[large..<(large + 16)]) == [0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5])
        #expect(Array(index[(large + 16)...]) == [UInt8](repeating: 0xAB, count: 20))
    }
}
