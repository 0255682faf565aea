#if canImport(Glibc)
internal import Glibc
#endif
internal import Archive
internal import Compression
internal import DumpCore

/// One member of a firmware package, before its bytes are read.
struct MemberHeader {
    enum Kind: Equatable {
        case regular
        case directory
        case symlink(target: [UInt8])
        case hardLink(target: [UInt8])
        case other
    }

    /// The path as stored (raw bytes; may be hostile).
    var path: [UInt8]
    var kind: Kind
    var size: UInt64?
    var permissions: UInt32
}

/// A package's members, one after the other.
protocol PackageMembers {
    /// The next member, or nil at the end.
    mutating func next() throws -> MemberHeader?
    /// The bytes of the member `next()` returned last (a regular file).
    mutating func openCurrent(origin: String) throws -> any ByteSource
    /// A way to read the member `next()` returned last again later, when the archive allows it
    /// (nil for stream archives).
    func reopener(origin: String) -> (() throws -> any ByteSource)?
    /// The member `next()` returned last as a byte range of a file, when it is stored
    /// uncompressed and can be read in place (nil otherwise).
    mutating func storedSlice(origin: String) throws -> FileSlice?
}

extension PackageMembers {
    mutating func storedSlice(origin: String) throws -> FileSlice? { nil }

    /// `storedSlice` for the current member, to call later (the walk may have moved on).
    func inPlaceReader(origin: String) -> () throws -> FileSlice? {
        let frozen = self
        return {
            var members = frozen
            return try members.storedSlice(origin: origin)
        }
    }
    func reopener(origin: String) -> (() throws -> any ByteSource)? { nil }
}

/// Any `ByteSource` behind a concrete type, for generic wrappers such as `PrefixedSource`.
struct AnyByteSource: ByteSource {
    var base: any ByteSource

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try base.read(into: buffer) }
}

/// Members read by libarchive (tar, 7z, and zips the fast reader leaves alone).
struct LibarchiveMembers: PackageMembers {
    let reader: ArchiveReader
    let name: String

    mutating func next() throws -> MemberHeader? {
        let entry: ArchiveEntry?
        do { entry = try reader.nextEntry() } catch { throw FirmwareError(file: name, cause: error.message) }
        guard let entry else { return nil }
        let kind: MemberHeader.Kind
        switch entry.kind {
        case .regular: kind = .regular
        case .directory: kind = .directory
        case .symlink(let target): kind = .symlink(target: target)
        case .hardLink(let target): kind = .hardLink(target: target)
        case .other: kind = .other
        }
        return MemberHeader(path: entry.path, kind: kind, size: entry.size.flatMap { $0 >= 0 ? UInt64($0) : nil }, permissions: entry.permissions)
    }

    mutating func openCurrent(origin: String) throws -> any ByteSource { ArchiveMemberSource(reader: reader) }
}

/// Members of a zip read straight from its central directory: stored members as they are,
/// deflated ones with ISA-L (several times faster than the zlib inside libarchive).
struct ZipMembers: PackageMembers {
    private let slice: FileSlice
    private let name: String
    private let members: [ZipMember]
    private var index = -1
    private let inflater = RawInflater()

    /// Opens the zip; throws `ZipNotHandled` when libarchive should read it instead.
    init(slice: FileSlice) throws {
        self.slice = slice
        self.name = slice.origin
        members = try ZipDirectory.read(slice: slice)
        if let odd = members.first(where: { $0.isEncrypted || ($0.method != 0 && $0.method != 8) }) {
            throw ZipNotHandled(reason: "member \(DisplayName.of(odd.name)) uses method \(odd.method) or encryption")
        }
    }

    mutating func next() throws -> MemberHeader? {
        index += 1
        guard index < members.count else { return nil }
        let member = members[index]
        let permissions = (member.unixMode ?? 0o644) & 0o7777
        if member.isDirectory { return MemberHeader(path: member.name, kind: .directory, size: 0, permissions: permissions) }
        if member.isSymlink {
            guard member.size <= 4096 else {
                throw FirmwareError(file: name, cause: "symlink member \(DisplayName.of(member.name)) claims a \(member.size)-byte target")
            }
            var source = try openCurrent(origin: "\(name):\(DisplayName.of(member.name))")
            // One byte more than declared, so that a longer target is caught by the member's size check.
            let target = try source.readBytes(Int(member.size) + 1)
            return MemberHeader(path: member.name, kind: .symlink(target: target), size: UInt64(target.count), permissions: permissions)
        }
        return MemberHeader(path: member.name, kind: .regular, size: member.size, permissions: permissions)
    }

    mutating func openCurrent(origin: String) throws -> any ByteSource {
        let member = members[index]
        let start = try ZipDirectory.dataOffset(of: member, slice: slice)
        return ZipMemberSource(slice: slice, member: member, dataOffset: start, origin: origin, inflater: member.method == 8 ? inflater : nil)
    }

    /// A stored member read in place skips `ZipMemberSource`'s checks, so its CRC-32 is checked
    /// here first (a pass at several GB/s that also warms the page cache for the readers).
    mutating func storedSlice(origin: String) throws -> FileSlice? {
        let member = members[index]
        guard member.method == 0, member.compressedSize == member.size else { return nil }
        let stored = try slice.subslice(at: try ZipDirectory.dataOffset(of: member, slice: slice), length: member.size, origin: origin)
        var crc = CRC32()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var position: UInt64 = 0
        while position < stored.length {
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(UInt64(buffer.count), stored.length - position))])
            try stored.read(at: position, into: piece, truncated: "the archive is truncated")
            crc.update(UnsafeRawBufferPointer(piece))
            position += UInt64(piece.count)
        }
        guard crc.value == member.crc32 else {
            throw FirmwareError(file: origin, cause: "CRC mismatch: 0x\(String(crc.value, radix: 16)) should be 0x\(String(member.crc32, radix: 16))")
        }
        return stored
    }

    func reopener(origin: String) -> (() throws -> any ByteSource)? {
        let frozen = self
        return {
            var members = frozen
            return try members.openCurrent(origin: origin)
        }
    }

    /// The names of all members (from the central directory), for a look before unpacking.
    var memberNames: [[UInt8]] { members.map(\.name) }
}
