public import DumpCore

/// An ext4 partition read natively: the directory tree is walked from the root inode and each
/// file's bytes are read straight from the image, so no temporary tree is written. Images that use
/// features it does not handle (inline data, encryption, …) throw `Ext4Unsupported` at open.
public final class Ext4TreeSource: FileTreeSource {
    private let image: Ext4Image

    /// Opens the raw ext4 image `path`; `origin` names it in messages.
    public convenience init(path: String, origin: String) throws {
        try self.init(image: try ImageFile(path: path, origin: origin))
    }

    /// Opens an ext4 image laid out in any file (a partition inside super.img, a stored zip member).
    public init(image file: ImageFile) throws {
        image = try Ext4Image(file: file)
    }

    public func listFiles() throws -> (files: [TreeFile], skipped: [String]) {
        var files: [TreeFile] = []
        var skipped: [String] = []
        var visited: Set<UInt32> = [2]
        try walk(directory: 2, parent: 2, path: [], depth: 0, visited: &visited, files: &files, skipped: &skipped)
        // Holes read as zeros cost time like data: sparse files that add up to far more than the
        // image really stores are a bomb, not firmware (the file system's own size is the
        // attacker's to choose: an 8 TiB file system can come in a 15 MB zip).
        var counted: Set<UInt64> = []
        let total = files.reduce(UInt64(0)) { sum, file in
            guard counted.insert(file.token).inserted else { return sum }
            let (next, overflow) = sum.addingReportingOverflow(file.size)
            return overflow ? .max : next
        }
        let stored = min(image.blockCount * image.blockSize, image.storedBytes)
        guard total <= 4 * stored + (1 << 30) else {
            throw FirmwareError(file: image.origin, cause: "its files add up to \(total) bytes, far more than the \(stored) bytes the image stores (files of holes)")
        }
        return (files, skipped)
    }

    public func openFile(_ file: TreeFile) throws -> any ByteSource {
        let inode = try image.inode(UInt32(file.token))
        return Ext4FileSource(image: image, extents: try image.extents(of: inode), size: inode.size)
    }

    private func walk(
        directory number: UInt32, parent: UInt32, path: [UInt8], depth: Int, visited: inout Set<UInt32>, files: inout [TreeFile],
        skipped: inout [String]
    ) throws {
        let display = path.isEmpty ? "/" : DisplayName.of(path)
        guard depth < 256 else { throw FirmwareError(file: image.origin, cause: "directories nested deeper than 256 levels at \(display)") }
        let inode = try image.inode(number)
        guard inode.isDirectory else { throw FirmwareError(file: image.origin, offset: inode.offset, cause: "inode \(number) (\(display)) is not a directory") }
        try checkReadable(inode, path: display)
        for entry in try entries(of: inode, parent: parent, path: display) {
            let childPath = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
            let child = try image.inode(entry.inode)
            let childDisplay = DisplayName.of(childPath)
            guard child.mode != 0 else {
                throw FirmwareError(file: image.origin, offset: child.offset, cause: "\(childDisplay) points at the unused inode \(entry.inode)")
            }
            if child.isDirectory {
                guard visited.insert(entry.inode).inserted else {
                    throw FirmwareError(file: image.origin, offset: child.offset, cause: "directory loop at \(childDisplay) (inode \(entry.inode))")
                }
                try walk(directory: entry.inode, parent: number, path: childPath, depth: depth + 1, visited: &visited, files: &files, skipped: &skipped)
            } else if child.isRegular {
                try checkReadable(child, path: childDisplay)
                guard child.size <= image.blockCount * image.blockSize else {
                    throw FirmwareError(file: image.origin, offset: child.offset, cause: "\(childDisplay) claims \(child.size) bytes, more than its file system holds")
                }
                files.append(TreeFile(
                    path: RepoPath(bytes: childPath), kind: .regular(executable: child.mode & 0o111 != 0), size: child.size,
                    token: UInt64(entry.inode)))
            } else if child.isSymlink {
                let target = try symlinkTarget(child, path: childDisplay)
                files.append(TreeFile(path: RepoPath(bytes: childPath), kind: .symlink(target: target), size: UInt64(target.count), token: UInt64(entry.inode)))
            } else {
                skipped.append(childDisplay)
            }
        }
    }

    private func checkReadable(_ inode: Ext4Inode, path: String) throws {
        var feature: String?
        if inode.flags & Ext4Inode.flagInlineData != 0 { feature = "inline data" }
        if inode.flags & Ext4Inode.flagEncrypted != 0 { feature = "encryption" }
        if let feature {
            throw FirmwareError(file: image.origin, offset: inode.offset, cause: "\(path) uses the ext4 feature \(feature), which dumpyard cannot read yet")
        }
    }

    private func symlinkTarget(_ inode: Ext4Inode, path: String) throws -> [UInt8] {
        try checkReadable(inode, path: path)
        let size = inode.size
        guard size < 4096 * 16 else {
            throw FirmwareError(file: image.origin, offset: inode.offset, cause: "symlink \(path) claims a \(size)-byte target")
        }
        // A fast symlink keeps its target in i_block; a slow one in data blocks.
        if size < 60 && !(inode.usesExtents && inode.hasExtentHeader) {
            return Array(inode.blockArea.prefix(Int(size)))
        }
        var source = Ext4FileSource(image: image, extents: try image.extents(of: inode), size: size)
        return try source.readBytes(Int(size))
    }

    private struct DirectoryEntry {
        var inode: UInt32
        var name: [UInt8]
    }

    /// The entries of a directory, block by block; `.` and `..`, deleted entries, htree
    /// internal nodes and checksum tails (all with inode 0) are left out.
    private func entries(of inode: Ext4Inode, parent: UInt32, path: String) throws -> [DirectoryEntry] {
        let blockSize = Int(image.blockSize)
        guard inode.size <= image.blockCount * image.blockSize, inode.size % UInt64(blockSize) == 0 else {
            throw FirmwareError(file: image.origin, offset: inode.offset, cause: "directory \(path) has an impossible size \(inode.size)")
        }
        let extents = try image.extents(of: inode)
        // A directory block used twice (or by a hostile map, thousands of times) would list its entries again and again.
        var blocks: Set<UInt64> = []
        for extent in extents where !extent.unwritten {
            for physical in extent.physical..<(extent.physical + extent.length) where !blocks.insert(physical).inserted {
                throw FirmwareError(file: image.origin, offset: inode.offset, cause: "directory \(path) uses block \(physical) twice")
            }
        }
        let maximumEntries = Int(image.inodeCount) * 2 + 1024
        var source = Ext4FileSource(image: image, extents: extents, size: inode.size)
        var block = [UInt8](repeating: 0, count: blockSize)
        var out: [DirectoryEntry] = []
        var blockIndex = 0
        while true {
            let filled = try block.withUnsafeMutableBytes { try source.readFully(into: $0) }
            if filled == 0 { break }
            var at = 0
            while at + 8 <= blockSize {
                var recordLength = Int(block.le16(at + 4))
                if blockSize == 65536 && (recordLength == 65535 || recordLength == 0) { recordLength = 65536 }
                let number = block.le32(at)
                let nameLength = image.hasFileType ? Int(block[at + 6]) : Int(block.le16(at + 6))
                guard recordLength >= 8, recordLength % 4 == 0, at + recordLength <= blockSize, 8 + nameLength <= recordLength else {
                    throw FirmwareError(file: image.origin, cause: "directory \(path): corrupt entry in block \(blockIndex) at byte \(at)")
                }
                if number != 0 {
                    let name = Array(block[(at + 8)..<(at + 8 + nameLength)])
                    // "." and ".." must be the directory and its parent; anything else under those names is hiding a file.
                    if name == [0x2E] || name == [0x2E, 0x2E] {
                        let expected = name.count == 1 ? inode.number : parent
                        guard number == expected else {
                            throw FirmwareError(file: image.origin, offset: inode.offset, cause: "directory \(path): an entry named \"\(DisplayName.of(name))\" points at inode \(number), not \(expected)")
                        }
                    } else {
                        if let reason = RepoPath.problem(withComponent: name[...]) {
                            let shown = DisplayName.of(path == "/" ? name : Array(path.utf8) + [UInt8(ascii: "/")] + name)
                            throw FirmwareError(file: image.origin, cause: UnsafePathError(path: shown, reason: reason).description)
                        }
                        out.append(DirectoryEntry(inode: number, name: name))
                        guard out.count <= maximumEntries else {
                            throw FirmwareError(file: image.origin, offset: inode.offset, cause: "directory \(path) holds more entries than the file system has inodes")
                        }
                    }
                }
                at += recordLength
            }
            blockIndex += 1
        }
        return out
    }
}
