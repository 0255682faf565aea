internal import Foundation
internal import DumpCore
internal import Staging

/// Files at or above the LFS threshold are committed as Git LFS pointers (their content stays in
/// the staging store until `publish` uploads it), listed in a root `.gitattributes`; the pointers
/// and their store objects are remembered beside the dump's manifest (`<commit>.lfs`).
enum LFSConversion {
    /// One LFS object of a dump: its oid and size, and the store object that holds its bytes.
    struct Record: Codable, Hashable, Sendable {
        var oid: String
        var size: UInt64
        var object: String
    }

    /// `entries` with every regular file of `threshold` bytes or more replaced by its pointer,
    /// plus `.gitattributes`; nil threshold: unchanged.
    static func apply(_ entries: [ManifestEntry], threshold: UInt64?, store: StagingStore, ingester: Ingester) throws -> ([ManifestEntry], [Record]) {
        guard let threshold else { return (entries, []) }
        var result: [ManifestEntry] = []
        var records: [Record] = []
        var tracked: [RepoPath] = []
        for entry in entries {
            // A name git's attribute files cannot hold exactly (a line break, a line past git's
            // limit) stays a plain blob rather than a pointer git would not smudge.
            guard entry.mode != .symlink, entry.size >= threshold, Self.fitsAttributes(entry.path) else {
                result.append(entry)
                continue
            }
            let oid = try store.contentSHA256(entry.id)
            let pointer = LFSPointer(oid: oid, size: entry.size).bytes
            let stored = try ingester.ingest(bytes: pointer)
            result.append(ManifestEntry(path: entry.path, mode: entry.mode, id: stored.id, size: UInt64(pointer.count)))
            records.append(Record(oid: oid, size: entry.size, object: entry.id.hex))
            tracked.append(entry.path)
        }
        guard !tracked.isEmpty else { return (entries, []) }
        let attributes = RepoPath(".gitattributes")
        guard !entries.contains(where: { $0.path == attributes }) else {
            throw StagingError("the dump has a .gitattributes of its own at its root; dumpyard cannot add its Git LFS rules to it (LFS_THRESHOLD=0 commits large files as plain blobs)")
        }
        let file = LFSAttributes.file(for: tracked)
        let stored = try ingester.ingest(bytes: file)
        result.append(ManifestEntry(path: attributes, mode: .regular, id: stored.id, size: UInt64(file.count)))
        return (result, records)
    }

    static func fitsAttributes(_ path: RepoPath) -> Bool {
        !path.bytes.contains(UInt8(ascii: "\n")) && LFSAttributes.pattern(path).count <= 1800
    }

    /// Where the LFS records of `commit` are kept.
    static func recordsPath(commit: String, configuration: DumpConfiguration) -> String {
        configuration.manifestDirectory + "/" + commit + ".lfs"
    }

    static func save(_ records: [Record], commit: String, configuration: DumpConfiguration) throws {
        guard !records.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: configuration.manifestDirectory, withIntermediateDirectories: true)
        try JSONEncoder().encode(records).write(to: URL(fileURLWithPath: recordsPath(commit: commit, configuration: configuration)), options: .atomic)
    }

    /// The records of `commit`, or nil when this machine has none (a dump without LFS objects, or
    /// one made elsewhere).
    static func load(commit: String, configuration: DumpConfiguration) throws -> [Record]? {
        let path = recordsPath(commit: commit, configuration: configuration)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode([Record].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
