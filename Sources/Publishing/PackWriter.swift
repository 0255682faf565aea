#if canImport(Glibc)
internal import Glibc
#endif
internal import Compression
internal import Crypto
public import DumpCore

/// One object for a pack.
public enum PackInput: Sendable {
    /// A blob whose zlib stream is in the staging store, copied as it is.
    case stored(id: ObjectID, size: UInt64)
    /// An object given raw (a tree or commit built in memory), compressed on the way.
    case raw(id: ObjectID, type: UInt8, content: [UInt8])

    var id: ObjectID {
        switch self {
        case .stored(let id, _), .raw(let id, _, _): id
        }
    }
}

/// Writes objects into a repository as one pack and its index. Blobs from the staging store are
/// copied as stored zlib streams: nothing is inflated or compressed again.
public struct PackWriter: Sendable {
    /// The repository's `objects/pack` directory.
    public let packDirectory: String

    public init(packDirectory: String) { self.packDirectory = packDirectory }

    /// Writes `blobs` (id and content size) read from `source`; returns the pack's name
    /// (`pack-<sha1>`), or nil when there is nothing to write.
    public func write(blobs: [(id: ObjectID, size: UInt64)], from source: some DeflatedObjectSource) throws -> String? {
        try write(blobs.map { PackInput.stored(id: $0.id, size: $0.size) }, from: source)
    }

    /// Writes `inputs`, reading stored blobs from `source`; returns the pack's name, or nil when
    /// there is nothing to write.
    public func write(_ inputs: [PackInput], from source: some DeflatedObjectSource) throws -> String? {
        guard !inputs.isEmpty else { return nil }
        let ordered = inputs.sorted { $0.id < $1.id }
        let temporaryPack = packDirectory + "/tmp_pack_dumpyard_\(getpid())_\(UInt64.random(in: 0...UInt64.max))"
        let out = try OutputFile(path: temporaryPack)
        var committed = false
        defer { if !committed { unlink(temporaryPack) } }

        let checksum = StreamingDigest(.sha1)
        var offset: UInt64 = 0
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            checksum.update(bytes)
            try out.write(bytes)
            offset += UInt64(bytes.count)
        }
        try PackFile.header(objectCount: UInt32(ordered.count)).withUnsafeBytes { try emit($0) }
        var entries: [PackFile.IndexEntry] = []
        entries.reserveCapacity(ordered.count)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let deflater = ZlibDeflater()
        for input in ordered {
            let start = offset
            var crc = CRC32()
            switch input {
            case .raw(let id, let type, let content):
                let header = PackFile.entryHeader(type: type, size: UInt64(content.count))
                try header.withUnsafeBytes { crc.update($0); try emit($0) }
                deflater.reset()
                try content.withUnsafeBytes { bytes in
                    try deflater.compress(bytes) { crc.update($0); try emit($0) }
                }
                try deflater.finish { crc.update($0); try emit($0) }
                entries.append(PackFile.IndexEntry(id: id.bytes, crc32: crc.value, offset: start))
            case .stored(let id, let size):
                let header = PackFile.entryHeader(type: PackFile.blobType, size: size)
                try header.withUnsafeBytes { crc.update($0); try emit($0) }
                let path = try source.deflatedObjectPath(for: id)
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw PublishingError("cannot open stored object \(path): \(String(cString: strerror(errno)))") }
                defer { close(fd) }
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    guard n >= 0 else { throw PublishingError("cannot read stored object \(path): \(String(cString: strerror(errno)))") }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { all in
                        let chunk = UnsafeRawBufferPointer(rebasing: all[0..<n])
                        crc.update(chunk)
                        try emit(chunk)
                    }
                }
                guard offset > start + UInt64(header.count) else { throw PublishingError("stored object \(id.hex) is empty") }
                entries.append(PackFile.IndexEntry(id: id.bytes, crc32: crc.value, offset: start))
            }
        }
        let packChecksum = checksum.finalize()
        try packChecksum.withUnsafeBytes { try out.write($0) }
        try out.close()

        let name = "pack-" + Hex.encode(packChecksum)
        var index = PackFile.index(entries, packChecksum: packChecksum)
        index += StreamingDigest.digest(.sha1, of: index)
        let temporaryIndex = temporaryPack + ".idx"
        let indexFile = try OutputFile(path: temporaryIndex)
        defer { unlink(temporaryIndex) }
        try index.withUnsafeBytes { try indexFile.write($0) }
        try indexFile.close()
        // The pack first, then its index: readers only look for packs that have an index.
        guard rename(temporaryPack, packDirectory + "/" + name + ".pack") == 0,
            rename(temporaryIndex, packDirectory + "/" + name + ".idx") == 0
        else { throw PublishingError("cannot install \(name) in \(packDirectory): \(String(cString: strerror(errno)))") }
        committed = true
        return name
    }
}

/// A file written sequentially through a buffer, fsynced on close.
final class OutputFile {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var isClosed = false

    init(path: String) throws {
        self.path = path
        // A fresh file only: never truncate or follow something already at this name.
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw PublishingError("cannot create \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if !isClosed { Glibc.close(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > 1 << 20 { try flush() }
        if bytes.count >= 1 << 20 { try writeAll(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    func close() throws {
        try flush()
        let synced = fsync(fd) == 0
        isClosed = true
        guard Glibc.close(fd) == 0, synced else { throw PublishingError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    private func flush() throws {
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        try pending.withUnsafeBytes { try writeAll($0) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw PublishingError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
