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
    private(set) var images: [UnpackedImage] = []
    var skipped: [String] = []
    var plainFiles = 0
    private var memberCount = 0
    /// Partition names handed over, with the origin of each.
    private var partitions: [String: String] = [:]
    /// Paths of plain files handed over, with the origin of each.
    private var paths: [[UInt8]: String] = [:]
    /// Where each plain file of the archive being walked went (for its hard links).
    private var placedFiles: [[UInt8]: RepoPath] = [:]
    /// Slot-b images, dumped only when no other image of their partition turns up.
    private var slotB: [(image: PartitionImage, level: Level)] = []

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

    /// A compressed member: decoded when an image, a payload or an archive is inside, else kept as it is.
    private mutating func unwrap(
        _ member: Member, format: ContentKind.Compression, _ stream: inout PrefixedSource<AnyByteSource>, level: Level, unwrapped: Int
    ) throws {
        guard Decoders.make(format) != nil else {
            try plain(member, &stream, level: level)
            return
        }
        // Decode just enough of the start to see what is inside.
        var compressed: [UInt8] = []
        var inner: [UInt8] = []
        while compressed.count < 4 << 20 {
            let more = try stream.readBytes(64 << 10)
            compressed += more
            inner = try Self.decodedPrefix(of: compressed, format: format, isWhole: more.isEmpty, origin: member.origin)
            if inner.count >= ContentKind.headerSize || more.isEmpty { break }
        }
        var replay = PrefixedSource(prefix: compressed, rest: stream)
        let innerKind = ContentKind.detect(inner)
        switch innerKind {
        case .androidSparse, .ext4, .erofs, .superImage, .payload, .compressed:
            let decoded = try DecodingSource(replay, format: format, origin: member.origin)
            let inside = Member(
                path: Self.removingSuffix(format.suffix, from: member.path), mode: member.mode, size: nil, origin: member.origin,
                source: decoded)
            try handle(inside, level: level, unwrapped: unwrapped + 1)
        case .tar where level.depth < unpacker.maximumDepth:
            // libarchive decodes the wrapper itself.
            try walkArchive(try randomAccess(member, &replay), kind: .tar, level: level.inside(member.fileName))
        default:
            guard format == .lz4, member.fileName.hasSuffix(".lz4") else {
                try plain(member, &replay, level: level)
                return
            }
            // Samsung packs every member as an LZ4 frame (`boot.img.lz4`, `sboot.bin.lz4`): the
            // dump keeps the decoded file under its own name.
            var decoded = try DecodingSource(replay, format: format, origin: member.origin)
            let path = work.newPath(member.fileName)
            let size = try work.write(&decoded, to: path, origin: member.origin)
            let backing = ImageBacking(path: path, isWorkFile: true)
            var source = try FileSource(path: backing.path)
            let inside = Member(
                path: Self.removingSuffix(format.suffix, from: member.path), mode: member.mode, size: size, origin: member.origin,
                source: source)
            try plain(inside, &source, level: level)
        }
    }

    /// `path` with `suffix` taken off its last component (when something is left).
    static func removingSuffix(_ suffix: String, from path: RepoPath) -> RepoPath {
        let suffixBytes = Array(suffix.utf8)
        guard path.bytes.count > suffixBytes.count, path.bytes.suffix(suffixBytes.count).elementsEqual(suffixBytes),
            path.bytes[path.bytes.count - suffixBytes.count - 1] != UInt8(ascii: "/")
        else { return path }
        return RepoPath(bytes: Array(path.bytes.dropLast(suffixBytes.count)))
    }

    /// As much of the start of a compressed stream as `compressed` decodes to (up to a header).
    /// Corrupt data fails here, naming the member; running out of input only does when
    /// `compressed` is the whole member.
    private static func decodedPrefix(of compressed: [UInt8], format: ContentKind.Compression, isWhole: Bool, origin: String) throws -> [UInt8] {
        var source = try DecodingSource(MemorySource(compressed), format: format, origin: origin)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: ContentKind.headerSize)
        while out.count < ContentKind.headerSize {
            let n: Int
            do { n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) } } catch let error as FirmwareError {
                if isWhole || error.cause.hasPrefix("corrupt") { throw error }
                break
            }
            if n == 0 { break }
            out += buffer[..<n]
        }
        return Array(out.prefix(ContentKind.headerSize))
    }

    // MARK: - Names

    /// The path a plain file takes: its own, unless an earlier archive's file took it — then it
    /// moves under a directory named after its archive, so nothing is overwritten. Two files of
    /// the top level (or a top-level file after a nested one) cannot move: that fails, naming both.
    mutating func place(_ path: RepoPath, origin: String, level: Level) throws -> RepoPath {
        guard let earlier = paths[path.bytes] else {
            paths[path.bytes] = origin
            return path
        }
        guard let stem = level.archiveStem else {
            throw FirmwareError(file: origin, cause: "its path \(DisplayName.of(path.bytes)) is already taken by \(earlier)")
        }
        var n = 1
        var candidate: RepoPath
        repeat {
            candidate = RepoPath(bytes: Array((relocationDirectory(stem, n) + "/").utf8) + path.bytes)
            n += 1
        } while paths[candidate.bytes] != nil
        paths[candidate.bytes] = origin
        return candidate
    }

    /// The directory a nested archive's colliding names move to: its stem, or `stem~N` when the
    /// stem is a partition's name (a nested `system.zip` must not land inside the system tree).
    func relocationDirectory(_ stem: String, _ attempt: Int = 1) -> String {
        var n = attempt
        while true {
            let candidate = n == 1 ? stem : "\(stem)~\(n)"
            if partitions[candidate] == nil && !PartitionName.isDumped(candidate) { return candidate }
            n += 1
        }
    }

    /// Hands a partition image over under its partition's name; slot-b images wait for the end.
    mutating func adopt(_ image: PartitionImage, slot: Character?, level: Level) throws {
        var image = image
        if slot == "b" {
            slotB.append((image, level))
            return
        }
        if let earlier = partitions[image.name] {
            guard let stem = level.archiveStem else {
                throw FirmwareError(file: image.origin, cause: "two images for the partition \(image.name): \(earlier) and \(image.origin)")
            }
            image.name = relocationDirectory(stem) + "/" + image.name
            if let again = partitions[image.name] {
                throw FirmwareError(file: image.origin, cause: "two images for the partition \(image.name): \(again) and \(image.origin)")
            }
        }
        partitions[image.name] = image.origin
        images.append(image.summary)
        try sink.image(image)
    }

    /// Slot-b images whose partition got no other image are dumped; the rest are noted.
    private mutating func settleSlotB() throws {
        let pending = slotB
        slotB = []
        for (image, level) in pending {
            if partitions[image.name] != nil {
                skipped.append("\(image.origin): slot b of \(image.name), slot a is dumped")
            } else {
                try adopt(image, slot: nil, level: level)
            }
        }
    }

    // MARK: - Checks

    /// Whether a nested zip is firmware to unpack (a Pixel `image-*.zip`) rather than a file to
    /// keep (an APK, an encrypted `fota.zip`): it must hold an image, a payload or an OTA piece.
    static func holdsFirmware(zip slice: FileSlice) throws -> Bool {
        let names: [[UInt8]]
        do { names = try ZipMembers(slice: slice).memberNames } catch { return true }
        return names.contains { raw in
            let name = String(decoding: raw.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
            return name.hasSuffix(".img") || name == "payload.bin" || MemberRole.of(fileName: name) != .single
                || name.hasSuffix(".img.lz4") || name.hasSuffix(".tar.md5")
        }
    }

    /// A symlink member must stay inside the package: relative, and never climbing above the root.
    static func checkSymlink(_ path: RepoPath, target: [UInt8], archive: String) throws(FirmwareError) {
        let display = DisplayName.of(target)
        var depth = path.components.count - 1
        let escapes = target.first == UInt8(ascii: "/") || target.isEmpty || target.split(separator: UInt8(ascii: "/")).contains { part in
            if part.elementsEqual("..".utf8) { depth -= 1 } else if !part.elementsEqual(".".utf8) { depth += 1 }
            return depth < 0
        }
        if escapes {
            throw FirmwareError(file: archive, cause: UnsafePathError(path: DisplayName.of(path.bytes), reason: .symlinkEscapes(display)).description)
        }
    }

    static func memberError(_ error: any Error, origin: String) -> any Error {
        if let error = error as? FirmwareError { return error }
        if let error = error as? ArchiveError { return FirmwareError(file: origin, cause: error.message) }
        return FirmwareError(file: origin, cause: "\(error)")
    }
}
