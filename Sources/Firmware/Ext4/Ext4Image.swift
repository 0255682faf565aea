#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore

/// The image uses an ext4 feature the native reader does not handle (the caller reports it; there
/// is deliberately no fallback to debugfs).
public struct Ext4Unsupported: Error, Sendable, CustomStringConvertible {
    public var feature: String
    public var description: String { "unsupported ext4 feature: \(feature)" }
}

/// An ext2/3/4 file system image opened for reading with `pread`: the superblock, the group
/// descriptors' inode tables, and inode lookup. Safe to share between threads (reads only).
final class Ext4Image: Sendable {
    private let file: ImageFile
    /// The image's name for messages (`firmware.zip:system.img`).
    let origin: String
    let blockSize: UInt64
    let blockCount: UInt64
    let inodeCount: UInt32
    let inodesPerGroup: UInt32
    let inodeSize: UInt64
    let hasFileType: Bool
    /// The inode table's first block, per block group.
    let inodeTables: [UInt64]

    static let incompatFileType: UInt32 = 0x2
    static let incompatRecover: UInt32 = 0x4
    static let incompatMetaBG: UInt32 = 0x10
    static let incompatExtents: UInt32 = 0x40
    static let incompat64Bit: UInt32 = 0x80
    static let incompatMMP: UInt32 = 0x100
    static let incompatFlexBG: UInt32 = 0x200
    static let incompatEAInode: UInt32 = 0x400
    static let incompatCsumSeed: UInt32 = 0x2000
    static let incompatLargeDir: UInt32 = 0x4000
    static let incompatCasefold: UInt32 = 0x20000
    static let understoodIncompat: UInt32 = incompatFileType | incompatRecover | incompatMetaBG | incompatExtents
        | incompat64Bit | incompatMMP | incompatFlexBG | incompatEAInode | incompatCsumSeed | incompatLargeDir
        | incompatCasefold

    /// Opens the image and reads its superblock and group descriptors.
    init(file: ImageFile) throws {
        self.file = file
        let origin = file.origin
        self.origin = origin
        do {
            let imageSize = file.size
            let sb = try file.bytes(at: 1024, count: 1024, truncated: Self.truncated)
            guard sb.le16(0x38) == 0xEF53 else { throw FirmwareError(file: origin, offset: 1080, cause: "no ext4 superblock (bad magic)") }
            let logBlockSize = sb.le32(0x18)
            guard logBlockSize <= 6 else { throw FirmwareError(file: origin, offset: 1048, cause: "invalid block size exponent \(logBlockSize)") }
            blockSize = 1024 << UInt64(logBlockSize)
            let incompat = sb.le32(0x60)
            let unknown = incompat & ~Self.understoodIncompat
            if unknown != 0 {
                let names: [(UInt32, String)] = [
                    (0x1, "compression"), (0x8, "journal_dev"), (0x1000, "dirdata"), (0x8000, "inline_data"),
                    (0x10000, "encrypt"),
                ]
                let known = names.filter { unknown & $0.0 != 0 }.map(\.1)
                throw Ext4Unsupported(feature: known.isEmpty ? "incompat 0x\(String(unknown, radix: 16))" : known.joined(separator: ", "))
            }
            hasFileType = incompat & Self.incompatFileType != 0
            let is64Bit = incompat & Self.incompat64Bit != 0
            blockCount = UInt64(sb.le32(0x04)) | (is64Bit ? UInt64(sb.le32(0x150)) << 32 : 0)
            inodeCount = sb.le32(0x00)
            inodesPerGroup = sb.le32(0x28)
            let blocksPerGroup = UInt64(sb.le32(0x20))
            let firstDataBlock = UInt64(sb.le32(0x14))
            inodeSize = sb.le32(0x4C) == 0 ? 128 : UInt64(sb.le16(0x58))
            // A block bitmap covers at most 8 × block size blocks (inodes likewise): anything larger is corrupt.
            guard inodesPerGroup > 0, inodesPerGroup <= 8 * blockSize, blocksPerGroup >= 8, blocksPerGroup <= 8 * blockSize,
                inodeSize >= 128, inodeSize <= blockSize, inodeSize & (inodeSize - 1) == 0
            else {
                throw FirmwareError(file: origin, offset: 1024, cause: "corrupt ext4 superblock (inodes per group \(inodesPerGroup), blocks per group \(blocksPerGroup), inode size \(inodeSize))")
            }
            let (fileSystemBytes, overflow) = blockCount.multipliedReportingOverflow(by: blockSize)
            guard blockCount > firstDataBlock, !overflow, fileSystemBytes <= imageSize else {
                let claimed = overflow ? "more than 2^64" : "\(fileSystemBytes)"
                throw FirmwareError(file: origin, offset: 1028, cause: "the ext4 file system claims \(claimed) bytes but the image has \(imageSize): truncated image")
            }
            let groups = (blockCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup
            guard UInt64(inodeCount) <= groups * UInt64(inodesPerGroup), inodeCount > 0 else {
                throw FirmwareError(file: origin, offset: 1024, cause: "corrupt ext4 superblock (\(inodeCount) inodes in \(groups) groups)")
            }
            let descSize = is64Bit ? max(32, UInt64(sb.le16(0xFE))) : 32
            guard descSize <= blockSize, descSize & (descSize - 1) == 0, !is64Bit || descSize >= 64 else {
                throw FirmwareError(file: origin, offset: 1278, cause: "invalid group descriptor size \(descSize)")
            }
            let descPerBlock = blockSize / descSize
            let metaBG = incompat & Self.incompatMetaBG != 0
            let firstMetaBG = UInt64(sb.le32(0x104))
            let sparseSuper = sb.le32(0x64) & 0x1 != 0
            func hasSuperblock(_ group: UInt64) -> Bool {
                guard sparseSuper, group > 1 else { return true }
                for base: UInt64 in [3, 5, 7] {
                    var power = base
                    while power < group { power *= base }
                    if power == group { return true }
                }
                return false
            }
            var tables: [UInt64] = []
            tables.reserveCapacity(Int(groups))
            var cachedBlock: UInt64 = .max
            var cached: [UInt8] = []
            for group in 0..<groups {
                let block: UInt64
                if metaBG && group / descPerBlock >= firstMetaBG {
                    let first = (group / descPerBlock) * descPerBlock
                    block = firstDataBlock + first * blocksPerGroup + (hasSuperblock(first) ? 1 : 0)
                } else {
                    block = firstDataBlock + 1 + group / descPerBlock
                }
                if block != cachedBlock {
                    cached = try file.bytes(at: block * blockSize, count: Int(blockSize), truncated: Self.truncated)
                    cachedBlock = block
                }
                let at = Int((group % descPerBlock) * descSize)
                let table = UInt64(cached.le32(at + 8)) | (descSize >= 64 ? UInt64(cached.le32(at + 0x28)) << 32 : 0)
                guard table < blockCount else {
                    throw FirmwareError(file: origin, offset: block * blockSize + UInt64(at), cause: "group \(group)'s inode table lies outside the file system")
                }
                tables.append(table)
            }
            inodeTables = tables
        }
    }

    private static let truncated = "the ext4 image is truncated"

    /// At most how many bytes of the image are really stored (see `ImageFile.storedBytes`).
    var storedBytes: UInt64 { file.storedBytes }

    /// The raw bytes of inode `number`.
    func inode(_ number: UInt32) throws -> Ext4Inode {
        guard number >= 1, number <= inodeCount else {
            throw FirmwareError(file: origin, cause: "reference to inode \(number), outside 1…\(inodeCount)")
        }
        let group = UInt64((number - 1) / inodesPerGroup)
        let index = UInt64((number - 1) % inodesPerGroup)
        let offset = inodeTables[Int(group)] * blockSize + index * inodeSize
        return Ext4Inode(number: number, bytes: try read(at: offset, count: Int(min(inodeSize, 256))), offset: offset)
    }

    /// Reads exactly `count` bytes at `offset`, failing on a short image.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        try file.bytes(at: offset, count: count, truncated: Self.truncated)
    }

    /// Fills `buffer` from `offset`, failing on a short image.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
        try file.read(at: offset, into: buffer, truncated: Self.truncated)
    }
}
