#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore
internal import Synchronization

/// A partition a payload holds.
public struct PayloadPartition: Sendable, Hashable {
    public var name: String
    /// The image's size in bytes.
    public var size: UInt64
}

/// A partition image written by `PayloadExtractor.extract`.
public struct ExtractedPartition: Sendable, Hashable {
    public var name: String
    /// `<directory>/<name>.img`.
    public var path: String
    public var size: UInt64
    /// True when the whole image's SHA-256 was checked against the manifest; false when the
    /// manifest gives none or leaves hash-tree/FEC blocks to the device (Virtual A/B).
    public var hashChecked: Bool
}

/// Extracts the partition images of a full A/B OTA payload (`payload.bin`, read in place: a
/// file or a member stored inside the OTA zip).
///
/// `init` reads and checks the header and the whole manifest, so an incremental or malformed
/// payload fails before any work. `extract` runs the install operations (REPLACE, REPLACE_BZ,
/// REPLACE_XZ, ZSTD, ZERO, DISCARD) on a fixed pool of threads, largest partitions first, each
/// decoding in bounded chunks straight into its destination extents with `pwrite`; it verifies
/// every blob's SHA-256 and each image's when the manifest has one.
public final class PayloadExtractor: Sendable {
    private let payload: FileSlice
    private let header: PayloadHeader
    /// The checked manifest.
    public let plan: PayloadPlan

    /// Parses and validates header + manifest (incremental → error here, before any work).
    public init(payload: FileSlice) throws(FirmwareError) {
        self.payload = payload
        let name = payload.origin
        func located(_ error: PayloadFormatError) -> FirmwareError { FirmwareError(file: name, offset: error.offset, cause: error.cause) }
        let start = try payload.bytes(at: 0, count: Int(min(UInt64(PayloadHeader.size), payload.length)))
        do {
            header = try PayloadHeader.parse(start, payloadSize: payload.length)
            let manifestBytes = try payload.bytes(at: header.manifestOffset, count: Int(header.manifestSize))
            let manifest = try PayloadManifest.decode(manifestBytes, baseOffset: header.manifestOffset)
            plan = try PayloadPlan(manifest: manifest, dataAreaSize: payload.length - header.dataOffset)
        } catch let error as PayloadFormatError {
            throw located(error)
        } catch let error as FirmwareError {
            throw error
        } catch {
            throw FirmwareError(file: name, cause: "\(error)")
        }
    }

    /// The partitions in manifest order.
    public var partitions: [PayloadPartition] { plan.partitions.map { PayloadPartition(name: $0.update.name, size: $0.size) } }

    /// Writes every partition to `<directory>/<name>.img` (pre-sized with ftruncate; ZERO/DISCARD leave holes),
    /// running operations in parallel on `threads` threads; progress(doneBytes, totalBytes) of decoded output,
    /// called from the worker threads. On failure no output file is left behind.
    public func extract(into directory: String, threads: Int, progress: @Sendable (UInt64, UInt64) -> Void) throws -> [ExtractedPartition] {
        try DiskSpace.require(plan.diskBytesNeeded, in: directory, for: "the images of \(payload.origin)")
        let outputs = try OutputFiles(directory: directory, partitions: plan.partitions)
        do {
            let checked = try runOperations(outputs: outputs, threads: threads, progress: progress)
            try outputs.closeAll()
            return plan.partitions.indices.map { i in
                ExtractedPartition(name: plan.partitions[i].update.name, path: outputs.paths[i], size: plan.partitions[i].size, hashChecked: checked[i])
            }
        } catch {
            outputs.removeAll()
            throw error
        }
    }

    /// Runs every data-carrying operation on `threads` workers. Each worker keeps to one partition
    /// (largest first) while it has operations left, so two threads rarely write one file at once
    /// (they would wait on its inode lock); the worker that finishes a partition's last operation
    /// sizes the image and checks its SHA-256 at once, while the others go on decoding.
    /// Returns which images had their whole-image hash checked.
    private func runOperations(outputs: OutputFiles, threads: Int, progress: @Sendable (UInt64, UInt64) -> Void) throws -> [Bool] {
        let partitions = plan.partitions.indices.map { p in
            plan.partitions[p].update.operations.indices.filter { plan.partitions[p].update.operations[$0].type.carriesData }
        }
        let queue = PartitionQueue(operationCounts: partitions.map(\.count), sizes: plan.partitions.map(\.size))
        let total = plan.totalDecodedBytes
        let shared = SharedProgress()
        let checked = Mutex<Set<Int>>([])
        WorkerPool.run(threads: min(max(threads, 1), 64, max(partitions.reduce(0) { $0 + $1.count }, 1))) { [self] _ in
            let runner = OperationRunner(payload: payload, dataOffset: header.dataOffset, blockSize: plan.blockSize)
            var current: Int?
            while !shared.hasFailed, let (p, index) = queue.claim(after: current) {
                current = p
                let partition = plan.partitions[p]
                do {
                    if index >= 0 {
                        let o = partitions[p][index]
                        let operation = partition.update.operations[o]
                        try runner.run(operation, index: o, partition: partition.update.name, fd: outputs.fds[p], path: outputs.paths[p])
                        progress(shared.add(operation.destinationBlocks * plan.blockSize), total)
                    }
                    if queue.complete(p), try finish(p, outputs: outputs) { checked.withLock { _ = $0.insert(p) } }
                } catch {
                    shared.fail(error)
                    return
                }
            }
        }
        if let error = shared.failure { throw error }
        let done = checked.withLock { $0 }
        return plan.partitions.indices.map { done.contains($0) }
    }

    /// A partition whose operations all ran: sized exactly (an unaligned last block's write runs
    /// past the size; an image without operations is only sized), and its SHA-256 checked where
    /// the manifest gives one that can match. Returns whether it was checked.
    private func finish(_ p: Int, outputs: OutputFiles) throws -> Bool {
        let partition = plan.partitions[p]
        guard ftruncate(outputs.fds[p], off_t(partition.size)) == 0 else {
            throw FirmwareError(file: outputs.paths[p], cause: "cannot size the image: \(String(cString: strerror(errno)))")
        }
        guard partition.wholeImageHashApplies, let expected = partition.update.newHash, !expected.isEmpty else { return false }
        let actual = try ImageHash.sha256(fd: outputs.fds[p], size: partition.size, path: outputs.paths[p])
        guard actual == expected else {
            throw FirmwareError(file: payload.origin, cause: "partition \(partition.update.name): the extracted image's SHA-256 does not match the manifest")
        }
        return true
    }
}

/// Hands out operations partition by partition. A worker stays on its partition while it has
/// operations left; then it takes the largest partition nobody works on, and only when there is
/// none it joins the partition with the most operations left. `complete` says which finished
/// operation was a partition's last, so exactly one worker finishes each partition.
private final class PartitionQueue: Sendable {
    private struct State {
        var next: [Int]
        var finished: [Int]
        var workers: [Int]
        let counts: [Int]
        let order: [Int]
    }

    private let state: Mutex<State>

    init(operationCounts: [Int], sizes: [UInt64]) {
        let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
        let zeros = operationCounts.map { _ in 0 }
        state = Mutex(State(next: zeros, finished: zeros, workers: zeros, counts: operationCounts, order: order))
    }

    /// The next operation for a worker that last worked on `current`: (partition, index into its
    /// operations; -1 for a partition without data-carrying operations, handed out once so that it
    /// gets finished). Nil when nothing is left.
    func claim(after current: Int?) -> (partition: Int, index: Int)? {
        state.withLock { s in
            if let current { s.workers[current] -= 1 }
            func open(_ p: Int) -> Bool { s.next[p] < max(s.counts[p], 1) }
            func take(_ p: Int) -> (partition: Int, index: Int) {
                s.workers[p] += 1
                let index = s.counts[p] == 0 ? -1 : s.next[p]
                s.next[p] += 1
                return (p, index)
            }
            if let current, open(current) { return take(current) }
            if let p = s.order.first(where: { open($0) && s.workers[$0] == 0 }) { return take(p) }
            if let p = s.order.filter(open).max(by: { s.counts[$0] - s.next[$0] < s.counts[$1] - s.next[$1] }) { return take(p) }
            return nil
        }
    }

    /// Records that an operation of `partition` finished; true when it was the partition's last.
    func complete(_ partition: Int) -> Bool {
        state.withLock { s in
            s.finished[partition] += 1
            return s.finished[partition] == max(s.counts[partition], 1)
        }
    }
}

/// The workers' shared state: the next job, bytes done, and the first failure (which stops everyone).
private final class SharedProgress: Sendable {
    private let nextJob = Atomic<Int>(0)
    private let done = Atomic<UInt64>(0)
    private let firstFailure = Mutex<(any Error)?>(nil)
    private let failed = Atomic<Bool>(false)

    /// The next job index below `count`, or nil when none is left or a worker failed.
    func claim(below count: Int) -> Int? {
        guard !failed.load(ordering: .relaxed) else { return nil }
        let job = nextJob.wrappingAdd(1, ordering: .relaxed).oldValue
        return job < count ? job : nil
    }

    /// Adds finished bytes; returns the new total.
    func add(_ bytes: UInt64) -> UInt64 { done.wrappingAdd(bytes, ordering: .relaxed).newValue }

    var hasFailed: Bool { failed.load(ordering: .relaxed) }

    func fail(_ error: any Error) {
        firstFailure.withLock { if $0 == nil { $0 = error } }
        failed.store(true, ordering: .relaxed)
    }

    var failure: (any Error)? { firstFailure.withLock { $0 } }
}
