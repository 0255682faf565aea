/// The git pack (v2) and pack index (v2) encodings dumpyard writes itself, so stored zlib streams
/// go into packs as they are. Pure: bytes in, bytes out.
enum PackFile {
    /// The pack entry type of a blob.
    static let blobType: UInt8 = 3

    /// `PACK`, version 2, object count.
    static func header(objectCount: UInt32) -> [UInt8] {
        Array("PACK".utf8) + be32(2) + be32(objectCount)
    }

    /// An entry header: type in bits 4–6 of the first byte, the size in 4 + 7·n bits, little-endian groups.
    static func entryHeader(type: UInt8, size: UInt64) -> [UInt8] {
        var size = size
        var byte = (type << 4) | UInt8(size & 0x0F)
        size >>= 4
        var out: [UInt8] = []
        while size != 0 {
            out.append(byte | 0x80)
            byte = UInt8(size & 0x7F)
            size >>= 7
        }
        out.append(byte)
        return out
    }

    /// One object as the index records it.
    struct IndexEntry {
        var id: [UInt8]
        var crc32: UInt32
        var offset: UInt64
    }

    /// The `.idx` v2 bytes, without its own trailing checksum (the caller appends SHA-1 of these bytes).
    static func index(_ entries: [IndexEntry], packChecksum: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.id.lexicographicallyPrecedes($1.id) }
        var out: [UInt8] = [0xFF, 0x74, 0x4F, 0x63] + be32(2)
        var fanout = [UInt32](repeating: 0, count: 256)
        for e in sorted { fanout[Int(e.id[0])] += 1 }
        var running: UInt32 = 0
        for i in 0..<256 {
            running += fanout[i]
            out += be32(running)
        }
        for e in sorted { out += e.id }
        for e in sorted { out += be32(e.crc32) }
        var large: [UInt8] = []
        var largeCount: UInt32 = 0
        for e in sorted {
            if e.offset < 0x8000_0000 {
                out += be32(UInt32(e.offset))
            } else {
                out += be32(0x8000_0000 | largeCount)
                large += be64(e.offset)
                largeCount += 1
            }
        }
        return out + large + packChecksum
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xFFFF_FFFF)) }
}
