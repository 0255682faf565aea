internal import Dispatch
internal import DumpCore
internal import Firmware
internal import Foundation
internal import Staging
internal import Synchronization

/// Reads partition images into the staging store on a background queue, one partition at a time,
/// while the unpacker goes on with the next member: unpacking (one core, inflate) overlaps with
/// hashing and compressing (every core).
final class PartitionIngestion: Sendable {
    struct Finished: Sendable {
        var image: PartitionImage
        var result: TreeIngestResult
    }

    private struct State: Sendable {
        var finished: [Finished] = []
        var failure: FailureText?
    }

    /// An error kept as text, so the state stays Sendable.
    struct FailureText: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    private let queue = DispatchQueue(label: "dumpyard.partitions")
    private let group = DispatchGroup()
    private let state = Mutex(State())
    private let reader: any PartitionReader
    private let ingester: TreeIngester
    private let store: StagingStore
    private let scratchBase: String
    private let progress: @Sendable (DumpProgress) -> Void

    init(
        reader: any PartitionReader, store: StagingStore, threads: Int, scratchBase: String,
        progress: @escaping @Sendable (DumpProgress) -> Void
    ) {
        self.reader = reader
        self.store = store
        self.ingester = TreeIngester(store: store, threads: threads)
        self.scratchBase = scratchBase
        self.progress = progress
    }

    /// True once a partition failed; the unpacker should stop.
    var hasFailed: Bool { state.withLock { $0.failure != nil } }

    /// Queues `image` to be read into the store; its work file goes once it was read.
    func submit(_ image: PartitionImage) {
        group.enter()
        queue.async { [self] in
            defer { group.leave() }
            guard !hasFailed else { return }
            do {
                let finished = try read(image)
                state.withLock { $0.finished.append(finished) }
            } catch {
                state.withLock { $0.failure = $0.failure ?? FailureText(description: "\(error)") }
            }
        }
    }

    /// Waits for every queued partition; returns them in submission order, or throws the first failure.
    func wait() throws -> [Finished] {
        group.wait()
        return try state.withLock { state in
            if let failure = state.failure { throw failure }
            return state.finished
        }
    }

    private func read(_ image: PartitionImage) throws -> Finished {
        let step = DumpStep.readPartitions
        progress(DumpProgress(step: step, fraction: 0, detail: "\(image.name): reading the \(image.kind)"))
        var result = try ingest(image, prefix: RepoPath(image.name))
        try unpackNestedImages(of: image, into: &result)
        let bytes = result.entries.reduce(UInt64(0)) { $0 + $1.size }
        progress(DumpProgress(step: step, fraction: 1, detail: "\(image.name): \(result.entries.count) files, \(bytes) bytes"))
        return Finished(image: image, result: result)
    }

    /// Reads one image's tree into the store under `prefix`.
    private func ingest(_ image: PartitionImage, prefix: RepoPath) throws -> TreeIngestResult {
        let step = DumpStep.readPartitions
        let scratch = scratchBase + "/" + prefix.description
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let source = try reader.open(image, scratch: scratch)
        return try ingester.ingest(source, prefix: prefix) { [progress] done, total in
            progress(DumpProgress(step: step, fraction: Double(done) / Double(max(total, 1)), detail: "\(prefix): \(done)/\(total) files", isMilestone: false))
        }
    }

    /// Oplus firmware keeps partition images inside partitions (`vendor/euclid/my_product.img`):
    /// each one that holds a file system is read into a sibling directory (`vendor/euclid/my_product/`)
    /// and replaces the image in the dump, as the existing dumper does.
    private func unpackNestedImages(of image: PartitionImage, into result: inout TreeIngestResult) throws {
        let nested = result.entries.enumerated().filter { _, entry in
            entry.mode != .symlink && entry.size >= 2048 && NestedImages.isCandidate(entry.path.description)
        }
        var removed: Set<Int> = []
        for (index, entry) in nested {
            let path = entry.path.description
            let work = scratchBase + "/nested-\(index)-\(UInt32.random(in: 0...UInt32.max)).img"
            let backing = ImageBacking(path: work, isWorkFile: true)
            let size = try store.inflate(entry.id, to: work)
            let kind = try OpenFile(path: work, origin: path).slice(origin: path).contentKind()
            guard kind.isFileSystem else { continue }
            let inner = PartitionImage(
                name: NestedImages.directory(for: path), kind: kind, origin: "\(image.origin):\(path)", expandedFrom: nil,
                backing: backing, extents: [.data(at: 0, length: size)])
            let tree = try ingest(inner, prefix: RepoPath(inner.name))
            result.entries += tree.entries
            result.newObjects += tree.newObjects
            result.reusedObjects += tree.reusedObjects
            result.skipped += tree.skipped
            removed.insert(index)
        }
        result.entries = result.entries.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }
}
