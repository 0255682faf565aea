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
    private let scratchBase: String
    private let progress: @Sendable (DumpProgress) -> Void

    init(reader: any PartitionReader, ingester: TreeIngester, scratchBase: String, progress: @escaping @Sendable (DumpProgress) -> Void) {
        self.reader = reader
        self.ingester = ingester
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
        let scratch = scratchBase + "/" + image.name
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
        }
        progress(DumpProgress(step: step, fraction: 0, detail: "\(image.name): reading the \(image.kind)"))
        let source = try reader.open(image, scratch: scratch)
        let result = try ingester.ingest(source, prefix: RepoPath(image.name)) { [progress] done, total in
            progress(DumpProgress(step: step, fraction: Double(done) / Double(max(total, 1)), detail: "\(image.name): \(done)/\(total) files", isMilestone: false))
        }
        let bytes = result.entries.reduce(UInt64(0)) { $0 + $1.size }
        progress(DumpProgress(step: step, fraction: 1, detail: "\(image.name): \(result.entries.count) files, \(bytes) bytes"))
        return Finished(image: image, result: result)
    }
}
