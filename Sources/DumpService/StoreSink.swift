internal import DumpCore
internal import Firmware
internal import Staging

/// Sends the package members that are not partition images straight into the staging store, and
/// hands each finished partition image to the background ingestion.
struct StoreSink: UnpackSink {
    let ingester: Ingester
    let partitions: PartitionIngestion?
    var entries: [ManifestEntry] = []
    var newObjects = 0
    var reusedObjects = 0

    init(ingester: Ingester, partitions: PartitionIngestion? = nil) {
        self.ingester = ingester
        self.partitions = partitions
    }

    mutating func image(_ image: PartitionImage) throws {
        guard let partitions else { return }
        // A partition already failed: stop unpacking; `wait()` reports that failure.
        if partitions.hasFailed { throw PartitionIngestion.FailureText(description: "stopped") }
        partitions.submit(image)
    }

    mutating func file(_ path: RepoPath, mode: FileMode, size: UInt64, source: inout some ByteSource) throws {
        record(try ingester.ingest(source: &source, size: size, name: DisplayName.of(path.bytes)), path: path, mode: mode)
    }

    mutating func symlink(_ path: RepoPath, target: [UInt8]) throws {
        record(try ingester.ingest(bytes: target), path: path, mode: .symlink)
    }

    mutating func link(_ path: RepoPath, to existing: RepoPath) throws -> Bool {
        guard let entry = entries.last(where: { $0.path == existing && $0.mode != .symlink }) else { return false }
        entries.append(ManifestEntry(path: path, mode: entry.mode, id: entry.id, size: entry.size))
        return true
    }

    mutating func add(_ bytes: [UInt8], at path: RepoPath) throws {
        record(try ingester.ingest(bytes: bytes), path: path, mode: .regular)
    }

    private mutating func record(_ stored: StoredObject, path: RepoPath, mode: FileMode) {
        entries.append(ManifestEntry(path: path, mode: mode, id: stored.id, size: stored.size))
        if stored.isNew { newObjects += 1 } else { reusedObjects += 1 }
    }
}
