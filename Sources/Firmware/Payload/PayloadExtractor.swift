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
            try runOperations(outputs: outputs, threads: threads, progress: progress)
            let checked = try verifyImages(outputs: outputs, threads: threads)
            try outputs.closeAll()
            return plan.partitions.indices.map { i in
                ExtractedPartition(name: plan.partitions[i].update.name, path: outputs.paths[i], size: plan.partitions[i].size, hashChecked: checked[i])
            }
        } catch {
            outputs.removeAll()
            throw error
        }
    }

    /// Every data-carrying operation, largest partitions first, pulled by `threads` workers.
    private func runOperations(outputs: OutputFiles, threads: Int, progress: @Sendable (UInt64, UInt64) -> Void) throws {
        let order = plan.partitions.indices.sorted { plan.partitions[$0].size > plan.partitions[$1].size }
        var work: [(partition: Int, operation: Int)] = []
        for p in order {
            for (o, operation) in plan.partitions[p].update.operations.enumerated() where operation.type.carriesData {
                work.append((p, o))
            }
        }
        let jobs = work
        let total = plan.totalDecodedBytes
        let shared = SharedProgress()
        WorkerPool.run(threads: min(max(threads, 1), 64, max(jobs.count, 1))) { [self] _ in
            let runner = OperationRunner(payload: payload, dataOffset: header.dataOffset, blockSize: plan.blockSize)
            while let next = shared.claim(below: jobs.count) {
                let (p, o) = jobs[next]
                let partition = plan.partitions[p]
                let operation = partition.update.operations[o]
                do {
                    try runner.run(operation, index: o, partition: partition.update.name, fd: outputs.fds[p], path: outputs.paths[p])
                } catch {
                    shared.fail(error)
                    return
                }
                progress(shared.add(operation.destinationBlocks * plan.blockSize), total)
            }
        }
        if let error = shared.failure { throw error }
        for p in plan.partitions.indices {
            // Writes of an unaligned last block run past the size; this also sizes untouched files.
            guard ftruncate(outputs.fds[p], off_t(plan.partitions[p].size)) == 0 else {
                throw FirmwareError(file: outputs.paths[p], cause: "cannot size the image: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Checks each image's SHA-256 where the manifest gives one that can match; returns which were checked.
    private func verifyImages(outputs: OutputFiles, threads: Int) throws -> [Bool] {
        let candidates = plan.partitions.indices.filter {
            plan.partitions[$0].wholeImageHashApplies && (plan.partitions[$0].update.newHash?.isEmpty == false)
        }.sorted { plan.partitions[$0].size > plan.partitions[$1].size }
        let shared = SharedProgress()
        WorkerPool.run(threads: min(max(threads, 1), 64, max(candidates.count, 1))) { [self] _ in
            while let next = shared.claim(below: candidates.count) {
                let p = candidates[next]
                let partition = plan.partitions[p]
                do {
                    let actual = try ImageHash.sha256(fd: outputs.fds[p], size: partition.size, path: outputs.paths[p])
                    guard actual == partition.update.newHash else {
                        throw FirmwareError(file: payload.origin, cause: "partition \(partition.update.name): the extracted image's SHA-256 does not match the manifest")
                    }
                } catch {
                    shared.fail(error)
                    return
                }
            }
        }
        if let error = shared.failure { throw error }
        let checked = Set(candidates)
        return plan.partitions.indices.map { checked.contains($0) }
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

    func fail(_ error: any Error) {
        firstFailure.withLock { if $0 == nil { $0 = error } }
        failed.store(true, ordering: .relaxed)
    }

    var failure: (any Error)? { firstFailure.withLock { $0 } }
}
