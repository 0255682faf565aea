#if canImport(Glibc)
internal import Glibc
#endif
internal import Archive
internal import DumpCore

/// One run of the unpacker over a firmware package: walks archives (nested ones included),
/// routes every member by its content, and keeps track of the names handed to the sink.
struct PackageWalk<Sink: UnpackSink> {
    let unpacker: FirmwareUnpacker
    var sink: Sink
    var work: WorkFiles
    var images: [UnpackedImage] = []
    var skipped: [String] = []
    var plainFiles = 0
    var memberCount = 0
    /// Partition names handed over, with the origin of each.
    var partitions: [String: String] = [:]
    /// Paths of plain files handed over, with the origin of each.
    var paths: [[UInt8]: String] = [:]
    /// Directories that files or partition trees need, with the origin of the first.
    var directories: [[UInt8]: String] = [:]
    /// Where each plain file of the archive being walked went (for its hard links).
    var placedFiles: [[UInt8]: RepoPath] = [:]
    /// Slot-b images, dumped only when no other image of their partition turns up.
    var slotB: [(image: PartitionImage, level: Level)] = []

    init(unpacker: FirmwareUnpacker, sink: Sink) {
        self.unpacker = unpacker
        self.sink = sink
        self.work = WorkFiles(directory: unpacker.imageDirectory)
    }

    mutating func run(_ path: String) throws -> UnpackResult {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let file = try OpenFile(path: path, origin: name)
        work = WorkFiles(directory: unpacker.imageDirectory, limit: WorkFiles.limit(forFirmwareOf: file.size))
        let bytes = StoredBytes(slice: file.slice(origin: name), backing: ImageBacking(path: path, isWorkFile: false))
        var probe = SliceSource(bytes.slice)
        let kind = ContentKind.detect(try probe.readBytes(ContentKind.headerSize))
        if kind.isArchive {
            try walkArchive(bytes, kind: kind, level: .top)
        } else {
            switch kind {
            case .other, .zip, .tar, .sevenZip:
                throw FirmwareError(file: name, cause: "not a firmware package or partition image (no archive, image or payload signature)")
            default:
                let member = Member(
                    path: RepoPath(name), mode: .regular, size: file.size, origin: name, inPlace: { bytes }, source: SliceSource(bytes.slice))
                try handle(member, level: .top)
            }
        }
        try settleSlotB()
        guard !images.isEmpty else {
            let found = kind.isArchive ? "among its \(memberCount) members " : ""
            throw FirmwareError(file: name, cause: "no partition image found \(found)(no ext4, EROFS, sparse or super image, payload or block OTA)")
        }
        return UnpackResult(images: images, plainFiles: plainFiles, skipped: skipped)
    }

    // MARK: - Archives

    /// Walks the members of the archive in `bytes`.
    mutating func walkArchive(_ bytes: StoredBytes, kind: ContentKind, level: Level) throws {
        let origin = bytes.slice.origin
        if kind == .zip {
            do {
                var zip = try ZipMembers(slice: bytes.slice)
                try walkMembers(&zip, archive: origin, backing: bytes.backing, level: level)
                return
            } catch is ZipNotHandled {
                // libarchive reads it below.
            }
        }
        // libarchive reads whole files: an archive inside a bigger file is copied out first.
        var path = bytes.slice.file.path
        var copy: ImageBacking?
        if bytes.slice.offset != 0 || bytes.slice.length != bytes.slice.file.size {
            try work.checkFreeSpace(for: bytes.slice.length, origin: origin)
            path = work.newPath("archive")
            var source = SliceSource(bytes.slice)
            _ = try work.write(&source, to: path, origin: origin)
            copy = ImageBacking(path: path, isWorkFile: true)
        }
        let reader: ArchiveReader
        do { reader = try ArchiveReader(path: path) } catch {
            if kind == .zip {
                throw FirmwareError(file: origin, cause: "truncated or corrupt zip: its central directory cannot be read (\(error.message))")
            }
            throw FirmwareError(file: origin, cause: "not a readable archive (\(error.message))")
        }
        var members = LibarchiveMembers(reader: reader, name: origin)
        try walkMembers(&members, archive: origin, backing: nil, level: level)
        withExtendedLifetime(copy) {}
    }

    private mutating func walkMembers(
        _ members: inout some PackageMembers, archive: String, backing: ImageBacking?, level: Level
    ) throws {
        var groups = MemberGroups()
        var symlinks: Set<[UInt8]> = []
        let outerPlaced = placedFiles
        placedFiles = [:]
        defer { placedFiles = outerPlaced }
        while let entry = try members.next() {
            memberCount += 1
            guard memberCount <= unpacker.maximumMembers else {
                throw FirmwareError(file: archive, cause: "more than \(unpacker.maximumMembers) members in all: not a firmware package")
            }
            let path: RepoPath
            do { path = try RepoPath.validated(entry.path) } catch { throw FirmwareError(file: archive, cause: error.description) }
            // Is any parent directory of this member a symlink member?
            var parent = path.bytes
            while let slash = parent.lastIndex(of: UInt8(ascii: "/")) {
                parent.removeSubrange(slash...)
                if symlinks.contains(parent) {
                    throw FirmwareError(file: archive, cause: UnsafePathError(path: DisplayName.of(path.bytes), reason: .throughSymlink(DisplayName.of(parent))).description)
                }
            }
            switch entry.kind {
            case .directory:
                continue
            case .other:
                skipped.append("\(archive):\(DisplayName.of(path.bytes)): a device node, fifo or socket")
            case .hardLink(let target):
                // The same bytes as an earlier member of this archive, at another path.
                let targetPath: RepoPath
                do { targetPath = try RepoPath.validated(target) } catch { throw FirmwareError(file: archive, cause: "hard link \(DisplayName.of(path.bytes)): \(error.description)") }
                guard let placed = placedFiles[targetPath.bytes], try sink.link(place(path, origin: "\(archive):\(DisplayName.of(path.bytes))", level: level), to: placed) else {
                    skipped.append("\(archive):\(DisplayName.of(path.bytes)): a hard link to \(DisplayName.of(target)), which is no file of the dump")
                    continue
                }
                plainFiles += 1
            case .symlink(let target):
                try Self.checkSymlink(path, target: target, archive: archive)
                symlinks.insert(path.bytes)
                try sink.symlink(place(path, origin: "\(archive):\(DisplayName.of(path.bytes))", level: level), target: target)
                plainFiles += 1
            case .regular:
                let origin = "\(archive):\(DisplayName.of(path.bytes))"
                let mode = FileMode(permissions: entry.permissions)
                do {
                    let reader = members.inPlaceReader(origin: origin)
                    let inPlace: () throws -> StoredBytes? = {
                        guard let backing, let slice = try reader() else { return nil }
                        return StoredBytes(slice: slice, backing: backing)
                    }
                    let fileName = String(decoding: path.components.last ?? [], as: UTF8.self)
                    let role = MemberRole.of(fileName: fileName)
                    if role != .single {
                        let open = try keepForLater(&members, origin: origin, size: entry.size)
                        groups.add(role, GroupPiece(path: path, mode: mode, size: entry.size, origin: origin, open: open))
                        continue
                    }
                    let member = Member(
                        path: path, mode: mode, size: entry.size, origin: origin, inPlace: inPlace,
                        source: try members.openCurrent(origin: origin))
                    try handle(member, level: level)
                } catch { throw Self.memberError(error, origin: origin) }
            }
        }
        try finishGroups(groups, archive: archive, level: level)
    }

    /// A way to read the current member again after the walk moved on: zips reopen it, stream
    /// archives copy it to a work file now.
    private mutating func keepForLater(_ members: inout some PackageMembers, origin: String, size: UInt64?) throws -> () throws -> any ByteSource {
        if let reopen = members.reopener(origin: origin) { return reopen }
        if let size { try work.checkFreeSpace(for: size, origin: origin) }
        let path = work.newPath("piece")
        var source = try members.openCurrent(origin: origin)
        _ = try work.write(&source, to: path, origin: origin)
        let backing = ImageBacking(path: path, isWorkFile: true)
        return { withExtendedLifetime(backing) {}; return try FileSource(path: backing.path) }
    }

    // MARK: - Members

    /// Routes one member by its content.
    mutating func handle(_ member: Member, level: Level, unwrapped: Int = 0) throws {
        var source = member.source
        let header = try source.readBytes(ContentKind.headerSize)
        let kind = ContentKind.detect(header)
        var stream = PrefixedSource(prefix: header, rest: AnyByteSource(base: source))
        let nestable = level.depth < unpacker.maximumDepth
        switch kind {
        case .zip where nestable, .tar where nestable, .sevenZip where nestable:
            let bytes = try randomAccess(member, &stream)
            if kind == .zip, !(try Self.holdsFirmware(zip: bytes.slice)) {
                var plainSource = SliceSource(bytes.slice)
                try plain(member, &plainSource, level: level)
                return
            }
            try walkArchive(bytes, kind: kind, level: level.inside(member.fileName))
        case .compressed(let format) where unwrapped < 2:
            try unwrap(member, format: format, &stream, level: level, unwrapped: unwrapped)
        case .androidSparse:
            try sparse(member, &stream, level: level)
        case .ext4, .erofs:
            try fileSystem(member, kind: kind, &stream, level: level)
        case .superImage:
            try superImage(try randomAccess(member, &stream), member: member, level: level, expandedFrom: nil)
        case .payload:
            try payload(try randomAccess(member, &stream), member: member, level: level)
        default:
            try plain(member, &stream, level: level)
        }
    }

    /// The member's bytes in a file: in place when stored, else copied to a work file.
    mutating func randomAccess(_ member: Member, _ stream: inout some ByteSource) throws -> StoredBytes {
        if let stored = try member.inPlace?() { return stored }
        if let size = member.size { try work.checkFreeSpace(for: size, origin: member.origin) }
        let path = work.newPath(member.fileName)
        let backing = ImageBacking(path: path, isWorkFile: true)
        _ = try work.write(&stream, to: path, origin: member.origin)
        let file = try OpenFile(path: path, origin: member.origin)
        return StoredBytes(slice: file.slice(origin: member.origin), backing: backing)
    }

    /// A member kept as it is. One whose size is not known in advance (a decoded stream, a tar
    /// member without one) goes through a work file first.
    mutating func plain(_ member: Member, _ stream: inout some ByteSource, level: Level) throws {
        let placed = try place(member.path, origin: member.origin, level: level)
        if let size = member.size {
            // Kept files count against the budget too: a sparse tar member or a payload partition
            // of zeros costs hashing and compressing like data.
            try work.charge(size, origin: member.origin)
            try sink.file(placed, mode: member.mode, size: size, source: &stream)
        } else {
            let path = work.newPath(member.fileName)
            let backing = ImageBacking(path: path, isWorkFile: true)
            let size = try work.write(&stream, to: backing.path, origin: member.origin)
            var source = try FileSource(path: backing.path)
            try sink.file(placed, mode: member.mode, size: size, source: &source)
        }
        placedFiles[member.path.bytes] = placed
        plainFiles += 1
    }

}
