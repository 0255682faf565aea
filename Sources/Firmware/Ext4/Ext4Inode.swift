/// One ext4 inode's fields that reading files needs.
struct Ext4Inode {
    let number: UInt32
    let bytes: [UInt8]
    /// Where the inode sits in the image, for messages.
    let offset: UInt64

    static let flagExtents: UInt32 = 0x80000
    static let flagInlineData: UInt32 = 0x1000_0000
    static let flagEncrypted: UInt32 = 0x800

    var mode: UInt16 { bytes.le16(0x00) }
    var size: UInt64 { UInt64(bytes.le32(0x04)) | UInt64(bytes.le32(0x6C)) << 32 }
    var flags: UInt32 { bytes.le32(0x20) }
    /// The 60 bytes of `i_block`: block pointers, an extent tree root, or a fast symlink's target.
    var blockArea: ArraySlice<UInt8> { bytes[0x28..<0x64] }

    var fileType: UInt16 { mode & 0xF000 }
    var isRegular: Bool { fileType == 0x8000 }
    var isDirectory: Bool { fileType == 0x4000 }
    var isSymlink: Bool { fileType == 0xA000 }
    var usesExtents: Bool { flags & Self.flagExtents != 0 }
    var hasExtentHeader: Bool { bytes.le16(0x28) == 0xF30A }
}

/// A run of logical file blocks stored at consecutive physical blocks; `unwritten` runs read as zeros.
struct Ext4Extent: Hashable {
    var logical: UInt64
    var physical: UInt64
    var length: UInt64
    var unwritten: Bool
}

extension Ext4Image {
    /// The most runs one file may be made of (a million fragments is corruption, not a file).
    static let maximumRuns: UInt64 = 1_000_000

    /// The block runs of an inode's data, sorted by logical block, from its extent tree or its
    /// (ext2/3) block pointers. Every physical block is checked to lie inside the file system.
    func extents(of inode: Ext4Inode) throws -> [Ext4Extent] {
        let neededBlocks = (inode.size + blockSize - 1) / blockSize
        var out: [Ext4Extent] = []
        if inode.usesExtents {
            var visitedNodes: Set<UInt64> = []
            try walkExtentNode(Array(inode.blockArea), depthLimit: 5, inode: inode, visited: &visitedNodes, into: &out)
            out.sort { $0.logical < $1.logical }
            for (a, b) in zip(out, out.dropFirst()) where a.logical + a.length > b.logical {
                throw FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number) has overlapping extents")
            }
        } else {
            try mapIndirect(inode, neededBlocks: neededBlocks, into: &out)
        }
        return out
    }

    private func walkExtentNode(
        _ node: [UInt8], depthLimit: Int, inode: Ext4Inode, visited: inout Set<UInt64>, into out: inout [Ext4Extent]
    ) throws {
        func corrupt(_ what: String) -> FirmwareError {
            FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number): corrupt extent tree (\(what))")
        }
        guard node.count >= 12, node.le16(0) == 0xF30A else { throw corrupt("bad magic") }
        let entries = Int(node.le16(2))
        let depth = Int(node.le16(6))
        guard 12 + entries * 12 <= node.count else { throw corrupt("\(entries) entries do not fit") }
        guard depth <= depthLimit else { throw corrupt("depth \(depth)") }
        for i in 0..<entries {
            let at = 12 + i * 12
            if depth == 0 {
                let logical = UInt64(node.le32(at))
                var length = UInt64(node.le16(at + 4))
                let unwritten = length > 32768
                if unwritten { length -= 32768 }
                let physical = UInt64(node.le16(at + 6)) << 32 | UInt64(node.le32(at + 8))
                guard physical + length <= blockCount else { throw corrupt("extent at block \(physical) lies outside the file system") }
                if length > 0 { out.append(Ext4Extent(logical: logical, physical: physical, length: length, unwritten: unwritten)) }
                // A file cannot have more extents than the file system has blocks, nor any real file a million.
                guard UInt64(out.count) <= min(blockCount, Self.maximumRuns) else { throw corrupt("more than \(min(blockCount, Self.maximumRuns)) extents") }
            } else {
                let child = UInt64(node.le16(at + 8)) << 32 | UInt64(node.le32(at + 4))
                guard child < blockCount else { throw corrupt("index node at block \(child) lies outside the file system") }
                // Each node block belongs to one place in one tree: a block seen twice is a loop or a shared subtree.
                guard visited.insert(child).inserted else { throw corrupt("index node at block \(child) is reached twice") }
                let block = try read(at: child * blockSize, count: Int(blockSize))
                try walkExtentNode(block, depthLimit: depth - 1, inode: inode, visited: &visited, into: &out)
            }
        }
    }

    /// ext2/3 block maps: 12 direct pointers, then single, double and triple indirect blocks.
    private func mapIndirect(_ inode: Ext4Inode, neededBlocks: UInt64, into out: inout [Ext4Extent]) throws {
        let area = Array(inode.blockArea)
        var logical: UInt64 = 0
        func add(_ physical: UInt64) throws {
            defer { logical += 1 }
            guard physical != 0 else { return }
            guard physical < blockCount else {
                throw FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number): block \(physical) lies outside the file system")
            }
            if let last = out.last, last.logical + last.length == logical, last.physical + last.length == physical {
                out[out.count - 1].length += 1
            } else {
                out.append(Ext4Extent(logical: logical, physical: physical, length: 1, unwritten: false))
                guard UInt64(out.count) <= min(blockCount, Self.maximumRuns) else {
                    throw FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number): more than \(min(blockCount, Self.maximumRuns)) block runs")
                }
            }
        }
        let perBlock = blockSize / 4
        var indirectBlocks: Set<UInt64> = []
        func walk(_ pointer: UInt64, level: Int) throws {
            let span = (0..<level).reduce(UInt64(1)) { acc, _ in acc * perBlock }
            guard logical < neededBlocks else { return }
            guard pointer != 0 else {
                logical += span
                return
            }
            guard pointer < blockCount else {
                throw FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number): indirect block \(pointer) lies outside the file system")
            }
            guard indirectBlocks.insert(pointer).inserted else {
                throw FirmwareError(file: origin, offset: inode.offset, cause: "inode \(inode.number): indirect block \(pointer) is used twice")
            }
            let block = try read(at: pointer * blockSize, count: Int(blockSize))
            for i in 0..<Int(perBlock) where logical < neededBlocks {
                let next = UInt64(block.le32(i * 4))
                if level == 1 { try add(next) } else { try walk(next, level: level - 1) }
            }
        }
        for i in 0..<12 where logical < neededBlocks { try add(UInt64(area.le32(i * 4))) }
        for level in 1...3 where logical < neededBlocks { try walk(UInt64(area.le32((11 + level) * 4)), level: level) }
    }
}
