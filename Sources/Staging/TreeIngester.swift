#if canImport(Glibc)
internal import Glibc
#endif
internal import Dispatch
internal import Synchronization
public import DumpCore

/// What reading a directory tree into the store found.
public struct TreeIngestResult: Sendable {
    /// One entry per regular file and symlink, paths under the given prefix.
    public var entries: [ManifestEntry]
    /// How many objects this call added to the store, and how many it found there already.
    public var newObjects: Int
    public var reusedObjects: Int
    /// Device nodes, fifos and sockets, which git cannot hold (paths relative to the tree).
    public var skipped: [String]
}

/// Reads a directory tree (a partition extracted by a tool) into the store, file by file, on
/// several threads. Never follows a symlink: a symlink's target text becomes its content.
public struct TreeIngester: Sendable {
    public let store: StagingStore
    public let threads: Int

    public init(store: StagingStore, threads: Int = 2) {
        self.store = store
        self.threads = max(1, threads)
    }

    /// Ingests every file under `directory`, naming each `prefix/<relative path>`.
    /// `progress` is called with (files done, files total), from any thread.
    public func ingest(
        directory: String, prefix: RepoPath, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> TreeIngestResult {
        var files: [WalkedFile] = []
        var skipped: [String] = []
        try walk(root: Array(directory.utf8), relative: [], files: &files, skipped: &skipped)
        let shared = Mutex(Collected())
        let next = Atomic<Int>(0)
        let total = files.count
        let work = files
        DispatchQueue.concurrentPerform(iterations: min(threads, max(total, 1))) { _ in
            let ingester = store.makeIngester()
            var local = Collected()
            while shared.withLock({ $0.failure == nil }) {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < total else { break }
                let file = work[i]
                do {
                    let stored: StoredObject
                    if let target = file.symlinkTarget {
                        stored = try ingester.ingest(bytes: target)
                    } else {
                        stored = try ingester.ingestFile(pathBytes: file.absolute)
                    }
                    let path = RepoPath(bytes: file.relative).prefixed(by: prefix)
                    local.entries.append(ManifestEntry(path: path, mode: file.mode, id: stored.id, size: stored.size))
                    if stored.isNew { local.new += 1 } else { local.reused += 1 }
                } catch {
                    shared.withLock { $0.failure = $0.failure ?? "\(error)" }
                    break
                }
                progress(i + 1, total)
            }
            shared.withLock { $0.merge(local) }
        }
        let collected = shared.withLock { $0 }
        if let failure = collected.failure { throw StagingError(failure) }
        return TreeIngestResult(
            entries: collected.entries, newObjects: collected.new, reusedObjects: collected.reused, skipped: skipped)
    }

    private struct WalkedFile: Sendable {
        var absolute: [UInt8]
        var relative: [UInt8]
        var mode: FileMode
        var symlinkTarget: [UInt8]?
    }

    private struct Collected: Sendable {
        var entries: [ManifestEntry] = []
        var new = 0
        var reused = 0
        var failure: String?

        mutating func merge(_ other: Collected) {
            entries += other.entries
            new += other.new
            reused += other.reused
        }
    }

    private func walk(root: [UInt8], relative: [UInt8], files: inout [WalkedFile], skipped: inout [String]) throws {
        let directory = relative.isEmpty ? root : root + [UInt8(ascii: "/")] + relative
        let display = String(decoding: directory, as: UTF8.self)
        guard let dir = Self.withCPath(directory, { opendir($0) }) else {
            throw StagingError.system("cannot open directory \(display)", errno: errno)
        }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let childRelative = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            let childAbsolute = root + [UInt8(ascii: "/")] + childRelative
            var st = stat()
            guard Self.withCPath(childAbsolute, { lstat($0, &st) }) == 0 else {
                throw StagingError.system("cannot stat \(String(decoding: childAbsolute, as: UTF8.self))", errno: errno)
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(root: root, relative: childRelative, files: &files, skipped: &skipped)
            case S_IFREG:
                files.append(WalkedFile(
                    absolute: childAbsolute, relative: childRelative, mode: FileMode(permissions: UInt32(st.st_mode)),
                    symlinkTarget: nil))
            case S_IFLNK:
                var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = Self.withCPath(childAbsolute) { path in
                    target.withUnsafeMutableBufferPointer {
                        $0.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count) }
                    }
                }
                guard n >= 0 else {
                    throw StagingError.system("cannot read symlink \(String(decoding: childAbsolute, as: UTF8.self))", errno: errno)
                }
                files.append(WalkedFile(
                    absolute: childAbsolute, relative: childRelative, mode: .symlink, symlinkTarget: Array(target[0..<n])))
            default:
                skipped.append(String(decoding: childRelative, as: UTF8.self))
            }
        }
    }

    private static func withCPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}
