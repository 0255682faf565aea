internal import Dispatch
internal import Synchronization
public import DumpCore

/// What reading a partition's tree into the store found.
public struct TreeIngestResult: Sendable {
    /// One entry per regular file and symlink, paths under the given prefix.
    public var entries: [ManifestEntry]
    /// How many objects this call added to the store, and how many it found there already.
    public var newObjects: Int
    public var reusedObjects: Int
    /// Device nodes, fifos and sockets, which git cannot hold (paths relative to the tree).
    public var skipped: [String]
}

/// Reads a partition's file tree into the store, file by file, on several threads.
/// A symlink's target text is its content; nothing is ever followed.
public struct TreeIngester: Sendable {
    public let store: StagingStore
    public let threads: Int

    public init(store: StagingStore, threads: Int = 2) {
        self.store = store
        self.threads = max(1, threads)
    }

    /// Ingests every file of `tree`, naming each `prefix/<path>`.
    /// `progress` is called with (files done, files total), from any thread.
    public func ingest(
        _ tree: some FileTreeSource, prefix: RepoPath, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> TreeIngestResult {
        let (files, skipped) = try tree.listFiles()
        // Hard links share a token: read each content once, however many names it has.
        var namesByToken: [UInt64: [TreeFile]] = [:]
        var unique: [TreeFile] = []
        for file in files {
            if case .regular = file.kind {
                if namesByToken[file.token] == nil { unique.append(file) }
                namesByToken[file.token, default: []].append(file)
            } else {
                unique.append(file)
            }
        }
        // Largest first, so one big file does not start last and run alone.
        let work = unique.sorted { $0.size > $1.size }
        let names = namesByToken
        let shared = Mutex(Collected())
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let total = work.count
        DispatchQueue.concurrentPerform(iterations: min(threads, max(total, 1))) { _ in
            let ingester = store.makeIngester()
            var local = Collected()
            while shared.withLock({ $0.failure == nil }) {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < total else { break }
                let file = work[i]
                do {
                    let stored: StoredObject
                    switch file.kind {
                    case .symlink(let target): stored = try ingester.ingest(bytes: target)
                    case .regular:
                        stored = try ingester.ingest(size: file.size, name: DisplayName.of(file.path.prefixed(by: prefix).bytes)) {
                            try tree.openFile(file)
                        }
                    }
                    let sharing: [TreeFile]
                    if case .regular = file.kind { sharing = names[file.token] ?? [file] } else { sharing = [file] }
                    for name in sharing {
                        local.entries.append(ManifestEntry(path: name.path.prefixed(by: prefix), mode: name.mode, id: stored.id, size: stored.size))
                    }
                    if stored.isNew { local.new += 1 } else { local.reused += 1 }
                    local.reused += sharing.count - 1
                } catch {
                    shared.withLock { $0.failure = $0.failure ?? error }
                    break
                }
                progress(done.add(1, ordering: .relaxed).newValue, total)
            }
            shared.withLock { $0.merge(local) }
        }
        let collected = shared.withLock { $0 }
        if let failure = collected.failure { throw failure }
        return TreeIngestResult(
            entries: collected.entries, newObjects: collected.new, reusedObjects: collected.reused, skipped: skipped)
    }

    private struct Collected: @unchecked Sendable {
        // Only touched under the Mutex; `failure` is any Error, which is not Sendable by itself.
        var entries: [ManifestEntry] = []
        var new = 0
        var reused = 0
        var failure: (any Error)?

        mutating func merge(_ other: Collected) {
            entries += other.entries
            new += other.new
            reused += other.reused
        }
    }
}
