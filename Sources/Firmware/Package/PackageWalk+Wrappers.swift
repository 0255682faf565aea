internal import DumpCore

/// Members inside compressed streams (`.gz`, `.xz`, `.lz4`, `.bz2`, `.zst`).
extension PackageWalk {
    /// A compressed member: decoded when an image, a payload or an archive is inside, else kept as it is.
    mutating func unwrap(
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
    static func decodedPrefix(of compressed: [UInt8], format: ContentKind.Compression, isWhole: Bool, origin: String) throws -> [UInt8] {
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
}
