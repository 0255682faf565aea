#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore

/// One member as the zip's central directory describes it.
struct ZipMember {
    var name: [UInt8]
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    var size: UInt64
    var localHeaderOffset: UInt64
    var externalAttributes: UInt32
    var madeBy: UInt16

    /// Unix mode bits, when the member was written on Unix.
    var unixMode: UInt32? { madeBy >> 8 == 3 ? externalAttributes >> 16 : nil }
    /// A directory entry: a name ending in `/` (as zipfile and unzip decide).
    var isDirectory: Bool { name.last == UInt8(ascii: "/") }
    var isSymlink: Bool { (unixMode ?? 0) & 0o170000 == 0o120000 }
    var isEncrypted: Bool { flags & 1 != 0 }
}

/// The zip uses something this reader leaves to libarchive (another compression method,
/// encryption, several disks).
struct ZipNotHandled: Error {
    var reason: String
}

/// Reads a zip's central directory (zip64 included) with every offset and size checked against
/// the file: the index the fast member reader works from. Anything unusual — a directory that
/// does not end where the end record starts, entry counts that disagree, members that overlap or
/// whose local name differs — is `ZipNotHandled`, and libarchive reads the zip instead: the fast
/// path only takes zips whose layout leaves no room for two readers to disagree.
enum ZipDirectory {
    /// The largest central directory read in one piece (a million entries fit easily).
    static let maximumDirectorySize: UInt64 = 512 << 20

    /// The members of the zip in `slice` (a file, or a zip stored inside another), in
    /// central-directory order. Offsets are relative to the slice.
    static func read(slice: FileSlice) throws -> [ZipMember] {
        let fileSize = slice.length
        let file = slice.origin
        func corrupt(_ what: String, at offset: UInt64? = nil) -> FirmwareError {
            FirmwareError(file: file, offset: offset, cause: "truncated or corrupt zip: \(what)")
        }
        let tailSize = min(fileSize, 65_557)
        let tail = try pread(slice, at: fileSize - tailSize, count: Int(tailSize))
        guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail.le32($0) == 0x0605_4B50 }) else {
            throw corrupt("no end-of-central-directory record")
        }
        let eocdOffset = fileSize - tailSize + UInt64(eocd)
        guard tail.le16(eocd + 4) == 0, tail.le16(eocd + 6) == 0 else { throw ZipNotHandled(reason: "multi-disk zip") }
        let count32 = UInt64(tail.le16(eocd + 10))
        let size32 = UInt64(tail.le32(eocd + 12))
        let offset32 = UInt64(tail.le32(eocd + 16))
        var count = count32
        var directorySize = size32
        var directoryOffset = offset32
        // Where the central directory must end: at the zip64 record when there is one, else at the EOCD.
        var directoryEnd = eocdOffset
        let locator = eocdOffset >= 20 ? try pread(slice, at: eocdOffset - 20, count: 20) : []
        if locator.count == 20 && locator.le32(0) == 0x0706_4B50 {
            let recordOffset = locator.le64(8)
            guard eocdOffset >= 20 + 56, recordOffset <= eocdOffset - 20 - 56 else { throw ZipNotHandled(reason: "zip64 record out of place") }
            let record = try pread(slice, at: recordOffset, count: 56)
            // The record must sit right before its locator, and agree with the EOCD where the EOCD has values.
            guard record.le32(0) == 0x0606_4B50, record.le64(4) >= 44, recordOffset + 12 + record.le64(4) == eocdOffset - 20 else {
                throw ZipNotHandled(reason: "zip64 record out of place")
            }
            count = record.le64(32)
            directorySize = record.le64(40)
            directoryOffset = record.le64(48)
            guard count32 == 0xFFFF || count32 == count, size32 == 0xFFFF_FFFF || size32 == directorySize,
                offset32 == 0xFFFF_FFFF || offset32 == directoryOffset
            else { throw ZipNotHandled(reason: "zip64 record and end record disagree") }
            directoryEnd = recordOffset
        } else if count32 == 0xFFFF || size32 == 0xFFFF_FFFF || offset32 == 0xFFFF_FFFF {
            throw ZipNotHandled(reason: "zip64 values without a zip64 record")
        }
        guard directoryOffset <= directoryEnd, directorySize == directoryEnd - directoryOffset else {
            // Also what self-extracting zips look like (offsets relative to a prefix): libarchive decides.
            throw ZipNotHandled(reason: "central directory does not end at the end record")
        }
        guard directorySize <= maximumDirectorySize, count <= directorySize / 46 else {
            throw ZipNotHandled(reason: "central directory of \(directorySize) bytes for \(count) entries")
        }
        if count > 0 {
            let signature = try pread(slice, at: directoryOffset, count: 4)
            guard signature.le32(0) == 0x0201_4B50 else { throw ZipNotHandled(reason: "no central directory at \(directoryOffset)") }
        }
        let directory = try pread(slice, at: directoryOffset, count: Int(directorySize))
        var members: [ZipMember] = []
        members.reserveCapacity(Int(count))
        var at = 0
        for index in 0..<count {
            let offset = directoryOffset + UInt64(at)
            guard at + 46 <= directory.count, directory.le32(at) == 0x0201_4B50 else {
                throw ZipNotHandled(reason: "central directory entry \(index + 1) is damaged at \(offset)")
            }
            let nameLength = Int(directory.le16(at + 28))
            let extraLength = Int(directory.le16(at + 30))
            let commentLength = Int(directory.le16(at + 32))
            let end = at + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw ZipNotHandled(reason: "central directory entry \(index + 1) runs past the directory") }
            var member = ZipMember(
                name: Array(directory[(at + 46)..<(at + 46 + nameLength)]), method: directory.le16(at + 10),
                flags: directory.le16(at + 8), crc32: directory.le32(at + 16), compressedSize: UInt64(directory.le32(at + 20)),
                size: UInt64(directory.le32(at + 24)), localHeaderOffset: UInt64(directory.le32(at + 42)),
                externalAttributes: directory.le32(at + 38), madeBy: directory.le16(at + 4))
            if directory.le16(at + 34) != 0 && directory.le16(at + 34) != 0xFFFF { throw ZipNotHandled(reason: "multi-disk zip") }
            // zip64 extra field: the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = directory.le16(extra)
                let length = Int(directory.le16(extra + 2))
                guard extra + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var field = extra + 4
                    func next() throws -> UInt64 {
                        guard field + 8 <= extra + 4 + length else { throw ZipNotHandled(reason: "zip64 field of entry \(index + 1) is short") }
                        defer { field += 8 }
                        return directory.le64(field)
                    }
                    if member.size == 0xFFFF_FFFF { member.size = try next() }
                    if member.compressedSize == 0xFFFF_FFFF { member.compressedSize = try next() }
                    if member.localHeaderOffset == 0xFFFF_FFFF { member.localHeaderOffset = try next() }
                }
                extra += 4 + length
            }
            guard member.localHeaderOffset < directoryOffset, member.compressedSize <= directoryOffset - member.localHeaderOffset else {
                throw ZipNotHandled(reason: "entry \(index + 1) points outside the archive")
            }
            members.append(member)
            at = end
        }
        guard at == directory.count else { throw ZipNotHandled(reason: "the entry count does not fill the central directory") }
        // Members must not share or overlap data (an overlap turns a small zip into a bomb).
        let byOffset = members.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) {
            guard a.localHeaderOffset + 30 + UInt64(a.name.count) + a.compressedSize <= b.localHeaderOffset else {
                // No writer makes members share bytes; zip bombs do. libarchive would keep one of
                // them and drop the others without a word, so this is an error, not a fallback.
                throw FirmwareError(
                    file: file, offset: b.localHeaderOffset,
                    cause: "members \(DisplayName.of(a.name)) and \(DisplayName.of(b.name)) share data: a zip bomb or a damaged zip")
            }
        }
        if let last = byOffset.last, last.localHeaderOffset + 30 + UInt64(last.name.count) + last.compressedSize > directoryOffset {
            throw ZipNotHandled(reason: "a member runs into the central directory")
        }
        return members
    }

    /// Where a member's data starts: after its local header, whose name and extra lengths may
    /// differ from the central directory's.
    static func dataOffset(of member: ZipMember, slice: FileSlice) throws -> UInt64 {
        let file = slice.origin
        let header = try pread(slice, at: member.localHeaderOffset, count: 30)
        guard header.le32(0) == 0x0403_4B50 else {
            throw FirmwareError(file: file, offset: member.localHeaderOffset, cause: "truncated or corrupt zip: bad local header")
        }
        let nameLength = Int(header.le16(26))
        let name = try pread(slice, at: member.localHeaderOffset + 30, count: nameLength)
        guard name == member.name else {
            throw FirmwareError(file: file, offset: member.localHeaderOffset, cause: "corrupt zip: the local name of \(DisplayName.of(member.name)) differs from the directory's")
        }
        return member.localHeaderOffset + 30 + UInt64(nameLength) + UInt64(header.le16(28))
    }

    static func pread(_ slice: FileSlice, at offset: UInt64, count: Int) throws -> [UInt8] {
        try slice.bytes(at: offset, count: count, truncated: "truncated zip")
    }
}
