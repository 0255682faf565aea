#if canImport(Glibc)
internal import Glibc
#endif
internal import Compression
internal import Crypto
public import DumpCore

/// Puts content into a `StagingStore`: hashes it to its git blob id and, when the store lacks it,
/// writes it compressed. One per thread; it reuses its buffers and codec state.
public final class Ingester {
    private let store: StagingStore
    private let digest = StreamingDigest(.sha1)
    private let deflater = ZlibDeflater()
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(store: StagingStore) { self.store = store }

    /// Stores the regular file at `path`, never following a symlink. Reads it once to hash it and,
    /// only when the store lacks the object, once more to compress it (from the page cache).
    public func ingestFile(at path: String) throws -> StoredObject {
        try ingestFile(pathBytes: Array(path.utf8))
    }

    /// `ingestFile(at:)` for a path given as raw bytes (file names need not be UTF-8).
    func ingestFile(pathBytes: [UInt8]) throws -> StoredObject {
        let path = String(decoding: pathBytes, as: UTF8.self)
        let fd = (pathBytes + [0]).withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        }
        guard fd >= 0 else { throw StagingError.system("cannot open \(path)", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StagingError.system("cannot stat \(path)", errno: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw StagingError("\(path) is not a regular file") }
        let size = UInt64(st.st_size)
        digest.update(Self.blobHeader(size))
        do { try forEachChunk(fd: fd, path: path, size: size) { digest.update($0) } } catch {
            digest.reset()
            throw error
        }
        let id = ObjectID(bytes: digest.finalize())
        if store.contains(id) { return StoredObject(id: id, size: size, isNew: false) }
        let isNew = try writeObject(id: id) { write in
            try forEachChunk(fd: fd, path: path, size: size, body: write)
        }
        return StoredObject(id: id, size: size, isNew: isNew)
    }

    /// Stores `bytes`.
    public func ingest(bytes: [UInt8]) throws -> StoredObject {
        digest.update(Self.blobHeader(UInt64(bytes.count)))
        digest.update(bytes)
        let id = ObjectID(bytes: digest.finalize())
        if store.contains(id) { return StoredObject(id: id, size: UInt64(bytes.count), isNew: false) }
        let isNew = try writeObject(id: id) { write in
            try bytes.withUnsafeBytes { try write($0) }
        }
        return StoredObject(id: id, size: UInt64(bytes.count), isNew: isNew)
    }

    /// Stores a file of `size` bytes that `open` can read more than once: the first read hashes it,
    /// a second one compresses it only when the store lacks it. Throws when the file's length
    /// differs from `size`.
    public func ingest(size: UInt64, name: String, open: () throws -> any ByteSource) throws -> StoredObject {
        digest.update(Self.blobHeader(size))
        do {
            var source = try open()
            try copy(from: &source, size: size, name: name) { digest.update($0) }
        } catch {
            digest.reset()
            throw error
        }
        let id = ObjectID(bytes: digest.finalize())
        if store.contains(id) { return StoredObject(id: id, size: size, isNew: false) }
        var again = try open()
        let isNew = try writeObject(id: id) { write in try copy(from: &again, size: size, name: name, body: write) }
        return StoredObject(id: id, size: size, isNew: isNew)
    }

    /// Reads `source` to its end in chunks, checking that it holds exactly `size` bytes.
    private func copy(
        from source: inout some ByteSource, size: UInt64, name: String, body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var total: UInt64 = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            total += UInt64(n)
            guard total <= size else { throw StagingError("\(name) holds more than its declared \(size) bytes") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        guard total == size else { throw StagingError("\(name) ended after \(total) of its declared \(size) bytes") }
    }

    /// Stores the next `size` bytes of `source` in one pass (hash and compress together).
    /// Throws when the source ends early or holds more than `size` bytes.
    public func ingest(source: inout some ByteSource, size: UInt64, name: String) throws -> StoredObject {
        digest.update(Self.blobHeader(size))
        let pending: StagingStore.PendingObject
        do {
            pending = try writePending(in: store.temporaryDirectory) { write in
                try copy(from: &source, size: size, name: name) { chunk in
                    digest.update(chunk)
                    try write(chunk)
                }
            }
        } catch {
            digest.reset()
            throw error
        }
        let id = ObjectID(bytes: digest.finalize())
        return StoredObject(id: id, size: size, isNew: try store.install(pending, as: id))
    }

    private func writeObject(
        id: ObjectID, feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> Bool {
        try store.install(try writePending(in: store.fanOutDirectory(for: id), feed), as: id)
    }

    /// Compresses what `feed` writes into a new pending object file.
    private func writePending(
        in directory: String, _ feed: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> StagingStore.PendingObject {
        let pending = try store.createPending(in: directory)
        do {
            deflater.reset()
            try feed { chunk in try deflater.compress(chunk) { try Self.writeAll(pending.fd, $0, directory) } }
            try deflater.finish { try Self.writeAll(pending.fd, $0, directory) }
        } catch {
            store.discard(pending)
            throw error
        }
        return pending
    }

    private func forEachChunk(
        fd: Int32, path: String, size: UInt64, body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var offset: UInt64 = 0
        while offset < size {
            let want = Int(min(UInt64(buffer.count), size - offset))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StagingError.system("cannot read \(path)", errno: errno)
            }
            guard n > 0 else { throw StagingError("\(path) shrank while it was being read") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += UInt64(n)
        }
    }

    static func blobHeader(_ size: UInt64) -> [UInt8] { Array("blob \(size)".utf8) + [0] }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ path: String) throws(StagingError) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StagingError.system("cannot write \(path)", errno: errno)
            }
            offset += n
        }
    }
}
