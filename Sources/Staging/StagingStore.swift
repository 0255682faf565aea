#if canImport(Glibc)
internal import Glibc
#endif
internal import Foundation
internal import Compression
internal import Crypto
public import DumpCore

/// The content-addressed store shared by every dump on the machine.
///
/// Each object is one file, `objects/<2 hex>/<38 hex>` named by the git blob id of its content,
/// holding one zlib stream of the content — exactly the bytes a git pack entry needs, so the
/// commit and publish steps never compress twice. Objects are written to unnamed `O_TMPFILE`
/// files and linked into place when complete, so identical content is stored once and a crash
/// never leaves a partial object under an object name. Safe to use from several threads and
/// processes at once.
public final class StagingStore: DeflatedObjectSource, Sendable {
    /// The store's directory.
    public let root: String
    let objectsDirectory: String
    let temporaryDirectory: String

    /// Opens (creating when missing) the store at `root`.
    public init(root: String) throws(StagingError) {
        self.root = root
        self.objectsDirectory = root + "/objects"
        self.temporaryDirectory = root + "/tmp"
        do {
            try Directories.create(temporaryDirectory)
            for i in 0..<256 { try Directories.create(objectsDirectory + "/" + Hex.encode([UInt8(i)])) }
        } catch {
            throw StagingError("cannot create the staging store at \(root)", cause: error.cause)
        }
        removeStaleTemporaries(olderThan: 24 * 3600)
    }

    /// Deletes temporary files a killed process left behind (a live writer finishes within hours).
    func removeStaleTemporaries(olderThan seconds: Double) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: temporaryDirectory) else { return }
        let cutoff = Date().addingTimeInterval(-seconds)
        for name in names {
            let path = temporaryDirectory + "/" + name
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? fm.removeItem(atPath: path)
            }
        }
    }

    /// The file that holds `id`.
    public func objectPath(for id: ObjectID) -> String {
        let hex = id.hex
        return objectsDirectory + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    public func deflatedObjectPath(for id: ObjectID) throws -> String {
        let path = objectPath(for: id)
        guard contains(id) else { throw StagingError("object \(id.hex) is missing from the staging store at \(root)") }
        return path
    }

    /// True when the store holds `id`. An empty file (left by a power loss) does not count.
    public func contains(_ id: ObjectID) -> Bool {
        var st = stat()
        return stat(objectPath(for: id), &st) == 0 && st.st_size > 0
    }

    /// A writer for one thread. Keep it for many objects: it owns the hashing and compression state.
    public func makeIngester() -> Ingester { Ingester(store: self) }

    /// The content of `id`, inflated (for small files such as prop files).
    public func read(_ id: ObjectID) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try deflatedObjectPath(for: id)))
        return try ZlibInflater.inflate([UInt8](data))
    }

    /// Writes the content of `id` to the new file `path`, inflating as it streams (for big objects,
    /// such as an image inside a partition). Returns the size written.
    @discardableResult
    public func inflate(_ id: ObjectID, to path: String) throws -> UInt64 {
        let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw StagingError("cannot create \(path)", cause: String(cString: strerror(errno))) }
        defer { close(output) }
        return try stream(id) { out in
            var done = 0
            while done < out.count {
                let w = write(output, out.baseAddress! + done, out.count - done)
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw StagingError("cannot write \(path)", cause: String(cString: strerror(w < 0 ? errno : ENOSPC))) }
                done += w
            }
        }
    }

    /// The SHA-256 (hex) of the content of `id`, inflated as it streams: the oid of a Git LFS object.
    public func contentSHA256(_ id: ObjectID) throws -> String {
        let digest = StreamingDigest(.sha256)
        try stream(id) { digest.update($0) }
        return Hex.encode(digest.finalize())
    }

    /// Hands the content of `id` to `body` in pieces, inflating as it reads. Returns the size.
    @discardableResult
    public func stream(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
        let input = open(try deflatedObjectPath(for: id), O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw StagingError("cannot open object \(id.hex)", cause: String(cString: strerror(errno))) }
        defer { close(input) }
        let inflater = try ZlibInflater()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: UInt64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw StagingError("cannot read object \(id.hex)", cause: String(cString: strerror(errno))) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { chunk in
                try inflater.inflate(UnsafeRawBufferPointer(rebasing: chunk[..<n])) { out in
                    try body(out)
                    size += UInt64(out.count)
                }
            }
        }
        guard inflater.isFinished else { throw StagingError("object \(id.hex) is truncated in the staging store at \(root)") }
        return size
    }

    /// An object file being written: an unnamed `O_TMPFILE` inode, or a named temporary file where
    /// the file system has no `O_TMPFILE`.
    final class PendingObject {
        let fd: Int32
        let temporaryPath: String?
        fileprivate var isClosed = false

        init(fd: Int32, temporaryPath: String?) {
            self.fd = fd
            self.temporaryPath = temporaryPath
        }

        /// A pending object nobody installed or discarded is discarded here.
        deinit { if !isClosed { close(fd); if let temporaryPath { unlink(temporaryPath) } } }
    }

    /// Opens a new, unnamed object file in `directory` (an object's fan-out directory when its id is
    /// known, else `tmp/`). Unnamed files need no clean-up: a crash leaves nothing behind, and no
    /// directory entry is created and deleted for each object.
    func createPending(in directory: String) throws(StagingError) -> PendingObject {
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Swift does not import the composite macro.
        let tmpfile: Int32 = 0o20_000_000 | O_DIRECTORY
        let fd = open(directory, tmpfile | O_WRONLY | O_CLOEXEC, 0o444)
        if fd >= 0 { return PendingObject(fd: fd, temporaryPath: nil) }
        var name = Array((temporaryDirectory + "/ingest-XXXXXX").utf8CString)
        let named = name.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw StagingError.system("cannot create a temporary file in \(temporaryDirectory)", errno: errno) }
        return PendingObject(fd: named, temporaryPath: name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Forgets a pending object after a failure.
    func discard(_ pending: PendingObject) {
        guard !pending.isClosed else { return }
        pending.isClosed = true
        close(pending.fd)
        if let path = pending.temporaryPath { unlink(path) }
    }

    /// The directory an object with `id` lives in.
    func fanOutDirectory(for id: ObjectID) -> String { objectsDirectory + "/" + Hex.encode(id.bytes.prefix(1)) }

    /// Links a finished pending object into place as `id` and closes it; false when the store
    /// already had the object.
    func install(_ pending: PendingObject, as id: ObjectID) throws(StagingError) -> Bool {
        defer { discard(pending) }
        let final = objectPath(for: id)
        let source = pending.temporaryPath ?? "/proc/self/fd/\(pending.fd)"
        let flags = pending.temporaryPath == nil ? AT_SYMLINK_FOLLOW : 0
        for attempt in 0..<2 {
            if linkat(AT_FDCWD, source, AT_FDCWD, final, flags) == 0 { return true }
            let code = errno
            guard code == EEXIST else { throw StagingError.system("cannot store object \(id.hex) in \(root)", errno: code) }
            if contains(id) { return false }
            // An empty leftover from a power loss: replace it once.
            if attempt == 0 { unlink(final) }
        }
        throw StagingError("cannot store object \(id.hex) in \(root): an empty object file keeps coming back")
    }
}

extension StagingStore: BlobPresence {}
