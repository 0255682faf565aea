#if canImport(Glibc)
internal import Glibc
#endif
internal import Archive
public import DumpCore

/// A partition image taken out of a firmware package, raw (sparse already expanded), in the work directory.
public struct PartitionImage: Sendable, Hashable {
    /// The partition's name (`system`, `vendor`, …): the top directory of its files in the dump.
    public var name: String
    /// The raw image file.
    public var path: String
    /// The file system it holds.
    public var kind: ContentKind
    /// Where it came from, for messages (`firmware.zip:product.img`).
    public var origin: String
    /// True when the member was an Android sparse image.
    public var wasSparse: Bool
}

/// What unpacking a firmware package produced besides the files handed to the caller.
public struct UnpackResult: Sendable {
    /// The partition images, in package order.
    public var images: [PartitionImage]
    /// How many members were handed over as plain files (symlinks included).
    public var plainFiles: Int
}

/// Receives what unpacking finds, as it finds it: partition images once written, and the members
/// that are not partition images.
public protocol UnpackSink {
    /// A regular file: its path in the dump, mode, size, and its bytes.
    mutating func file(_ path: RepoPath, mode: FileMode, size: UInt64, source: inout some ByteSource) throws
    /// A symbolic link and its target.
    mutating func symlink(_ path: RepoPath, target: [UInt8]) throws
    /// A partition image is complete in the work directory (the caller may start reading it while
    /// unpacking goes on). Throwing stops the unpacking.
    mutating func image(_ image: PartitionImage) throws
}

extension UnpackSink {
    public mutating func image(_ image: PartitionImage) throws {}
}

/// Takes a firmware package apart, streaming: each member's kind is told by its first bytes;
/// file system images (sparse ones expanded on the way) land in the work directory, everything
/// else goes to the sink. A bare image (not in an archive) is one partition.
public struct FirmwareUnpacker: Sendable {
    /// Where raw partition images are written.
    public let imageDirectory: String

    public init(imageDirectory: String) { self.imageDirectory = imageDirectory }

    /// Unpacks the firmware at `path`.
    public func unpack(_ path: String, into sink: inout some UnpackSink) throws -> UnpackResult {
        let name = Self.baseName(path)
        let input = try FileSource(path: path, followSymlinks: true)
        var probe = input
        let header = try probe.readBytes(ContentKind.headerSize)
        let kind = ContentKind.detect(header)
        if kind == .androidSparse || kind.isFileSystem {
            guard let partition = PartitionName.from(memberPath: RepoPath(name)) else {
                throw FirmwareError(file: name, cause: "cannot tell the partition name from the file name")
            }
            var source = PrefixedSource(prefix: header, rest: probe)
            let image = try writeImage(partition: partition, kind: kind, size: nil, source: &source, origin: name)
            try sink.image(image)
            return UnpackResult(images: [image], plainFiles: 0)
        }
        return try unpackArchive(path, name: name, kind: kind, sink: &sink)
    }

    private func unpackArchive(_ path: String, name: String, kind: ContentKind, sink: inout some UnpackSink) throws -> UnpackResult {
        if kind == .zip {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FirmwareError(file: name, cause: String(cString: strerror(errno))) }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw FirmwareError(file: name, cause: String(cString: strerror(errno))) }
            do {
                var members = try ZipMembers(fd: fd, fileSize: UInt64(st.st_size), name: name)
                return try unpack(&members, name: name, sink: &sink)
            } catch is ZipNotHandled {
                // Fall through to libarchive.
            }
        }
        let reader: ArchiveReader
        do { reader = try ArchiveReader(path: path) } catch {
            if kind == .zip {
                throw FirmwareError(file: name, cause: "truncated or corrupt zip: its central directory cannot be read (\(error.message))")
            }
            throw FirmwareError(file: name, cause: "not a firmware package or partition image (\(error.message))")
        }
        var members = LibarchiveMembers(reader: reader, name: name)
        return try unpack(&members, name: name, sink: &sink)
    }

    private func unpack(_ members: inout some PackageMembers, name: String, sink: inout some UnpackSink) throws -> UnpackResult {
        var images: [PartitionImage] = []
        var plainFiles = 0
        var symlinks: Set<[UInt8]> = []
        var count = 0
        while let entry = try members.next() {
            count += 1
            let path: RepoPath
            do { path = try RepoPath.validated(entry.path) } catch { throw FirmwareError(file: name, cause: error.description) }
            // Is any parent directory of this member a symlink member?
            var parent = path.bytes
            while let slash = parent.lastIndex(of: UInt8(ascii: "/")) {
                parent.removeSubrange(slash...)
                if symlinks.contains(parent) {
                    throw FirmwareError(file: name, cause: UnsafePathError(path: DisplayName.of(path.bytes), reason: .throughSymlink(DisplayName.of(parent))).description)
                }
            }
            switch entry.kind {
            case .directory, .other:
                continue
            case .symlink(let target):
                try Self.checkSymlink(path, target: target, archive: name)
                symlinks.insert(path.bytes)
                try sink.symlink(path, target: target)
                plainFiles += 1
            case .regular:
                let origin = "\(name):\(DisplayName.of(path.bytes))"
                var member = AnyByteSource(base: try members.openCurrent(origin: origin))
                let header: [UInt8]
                do { header = try member.readBytes(ContentKind.headerSize) } catch { throw Self.memberError(error, origin: origin) }
                let kind = ContentKind.detect(header)
                var source = PrefixedSource(prefix: header, rest: member)
                if kind == .androidSparse || kind.isFileSystem, let partition = PartitionName.from(memberPath: path) {
                    if let earlier = images.first(where: { $0.name == partition }) {
                        throw FirmwareError(file: name, cause: "two images for the partition \(partition): \(earlier.origin) and \(origin)")
                    }
                    let image: PartitionImage
                    do { image = try writeImage(partition: partition, kind: kind, size: entry.size, source: &source, origin: origin) } catch {
                        throw Self.memberError(error, origin: origin)
                    }
                    images.append(image)
                    try sink.image(image)
                    continue
                }
                guard let size = entry.size else { throw FirmwareError(file: origin, cause: "the archive does not record the member's size") }
                do { try sink.file(path, mode: FileMode(permissions: entry.permissions), size: size, source: &source) } catch {
                    throw Self.memberError(error, origin: origin)
                }
                plainFiles += 1
            }
        }
        guard !images.isEmpty else {
            throw FirmwareError(file: name, cause: "no partition image found among its \(count) members (no ext4, EROFS or sparse image)")
        }
        return UnpackResult(images: images, plainFiles: plainFiles)
    }

    /// Writes one image member to the work directory, expanding it when sparse.
    private func writeImage(
        partition: String, kind: ContentKind, size: UInt64?, source: inout some ByteSource, origin: String
    ) throws -> PartitionImage {
        if let size { try checkFreeSpace(for: size, origin: origin) }
        let path = imageDirectory + "/" + partition + ".img"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FirmwareError(file: origin, cause: "cannot create its raw image: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var rawKind = kind
        if kind == .androidSparse {
            try SparseImage.expand(source: &source, into: fd, file: origin)
            var header = [UInt8](repeating: 0, count: ContentKind.headerSize)
            let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            rawKind = ContentKind.detect(header.prefix(max(n, 0)))
            guard rawKind.isFileSystem else {
                throw FirmwareError(file: origin, cause: "the sparse image holds no ext4 or EROFS file system")
            }
        } else {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                var done = 0
                while done < n {
                    let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, n - done) }
                    if w < 0 && errno == EINTR { continue }
                    guard w > 0 else { throw FirmwareError(file: origin, cause: "cannot write its raw image: \(String(cString: strerror(w < 0 ? errno : ENOSPC)))") }
                    done += w
                }
            }
        }
        return PartitionImage(name: partition, path: path, kind: rawKind, origin: origin, wasSparse: kind == .androidSparse)
    }


    /// Space kept free on the work directory's file system besides the image itself.
    static let reservedSpace: UInt64 = 512 << 20

    /// Fails before writing when the work directory's file system cannot hold an image of `size`
    /// bytes (a sparse member is counted at its own size: its holes take no space).
    private func checkFreeSpace(for size: UInt64, origin: String) throws {
        var fs = statvfs()
        guard statvfs(imageDirectory, &fs) == 0 else { return }
        let free = UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
        guard size + Self.reservedSpace <= free else {
            let gib = { (bytes: UInt64) in String(Double(bytes * 10 / (1 << 30)) / 10) }
            throw FirmwareError(file: origin, cause: "needs \(gib(size)) GiB in the work directory but only \(gib(free)) GiB are free (WORK_DIR_BASE)")
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

    private static func memberError(_ error: any Error, origin: String) -> any Error {
        if let error = error as? FirmwareError { return error }
        if let error = error as? ArchiveError { return FirmwareError(file: origin, cause: error.message) }
        return FirmwareError(file: origin, cause: "\(error)")
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
