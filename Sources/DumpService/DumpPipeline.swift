internal import Foundation
public import DumpCore
internal import Firmware
internal import Publishing
internal import Staging

/// Why a dump failed: the step and the one-line cause.
public struct DumpFailure: Error, Sendable, CustomStringConvertible {
    public var step: DumpStep
    /// The firmware's file name.
    public var firmware: String
    public var cause: String

    /// "<step> failed: <cause>", the cause always naming the firmware file.
    public var description: String {
        cause.hasPrefix(firmware + ":") || cause.hasPrefix(firmware + " ") ? "\(step) failed: \(cause)" : "\(step) failed: \(firmware): \(cause)"
    }
}

/// The main job in local mode: a firmware file in, a branch in a local bare repository out.
///
/// Steps (DESIGN.md numbering): 3 unpack the container, 4 expand images, 5 read partitions into the
/// staging store, 7 describe, 8 commit. Work happens in a private directory under
/// `WORK_DIR_BASE` that is removed on every outcome.
public struct DumpPipeline: Sendable {
    public var configuration: DumpConfiguration
    var reader: any PartitionReader

    public init(configuration: DumpConfiguration) {
        self.configuration = configuration
        self.reader = DefaultPartitionReader()
    }

    /// Dumps `firmware` into `<outputDirectory>/<brand>/<codename>.git`. With `moveBranch` false
    /// the commit is written but its branch is not set: a worker does that as its publish step.
    public func run(
        firmware: String, outputDirectory: String, force: Bool, moveBranch: Bool = true,
        progress: @escaping @Sendable (DumpProgress) -> Void
    ) throws(DumpFailure) -> DumpSummary {
        let outputDirectory = URL(fileURLWithPath: outputDirectory).standardizedFileURL.path
        let clock = ContinuousClock()
        let started = clock.now
        var step = DumpStep.validate
        let name = URL(fileURLWithPath: firmware).lastPathComponent.isEmpty ? firmware : URL(fileURLWithPath: firmware).lastPathComponent
        func fail(_ error: any Error) -> DumpFailure { DumpFailure(step: step, firmware: name, cause: "\(error)") }

        progress(DumpProgress(step: step, fraction: 0, detail: firmware))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: firmware, isDirectory: &isDirectory) else {
            throw DumpFailure(step: step, firmware: name, cause: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DumpFailure(step: step, firmware: name, cause: "a directory, not a firmware file")
        }
        // A fifo or a device would block or never end.
        let target = URL(fileURLWithPath: firmware).resolvingSymlinksInPath().path
        guard (try? FileManager.default.attributesOfItem(atPath: target)[.type] as? FileAttributeType) == .typeRegular else {
            throw DumpFailure(step: step, firmware: name, cause: "not a regular file")
        }
        do { try Self.prepareOutput(outputDirectory) } catch { throw DumpFailure(step: step, firmware: name, cause: "\(error)") }
        let store: StagingStore
        let work: String
        do {
            store = try StagingStore(root: configuration.storeDirectory)
            WorkDirectories.sweepAbandoned(in: configuration.workDirectoryBase)
            work = try makeWorkDirectory()
        } catch { throw fail(error) }
        WorkDirectories.removeOnSignal(work)
        defer { WorkDirectories.removeOnSignal(nil) }
        defer { try? FileManager.default.removeItem(atPath: work) }

        let partitions = PartitionIngestion(
            reader: reader, store: store, threads: configuration.threads, scratchBase: work + "/trees", progress: progress)
        // Every path out waits for the background partition reads before the work directory goes.
        defer { _ = try? partitions.wait() }

        do {
            step = .unpackContainer
            progress(DumpProgress(step: step, fraction: 0, detail: name))
            try FileManager.default.createDirectory(atPath: work + "/images", withIntermediateDirectories: true)
            var sink = StoreSink(ingester: store.makeIngester(), partitions: partitions)
            let unpacked: UnpackResult
            do {
                var unpacker = FirmwareUnpacker(imageDirectory: work + "/images", threads: configuration.threads)
                unpacker.progress = { state in
                    let mib = { (bytes: UInt64) in bytes >> 20 }
                    progress(DumpProgress(
                        step: .expandImages, fraction: Double(state.done) / Double(max(state.total, 1)),
                        detail: "\(state.origin): \(mib(state.done)) of \(mib(state.total)) MiB", isMilestone: false))
                }
                unpacked = try unpacker.unpack(firmware, into: &sink)
            } catch {
                // A failed partition read stops the unpacker: report the read, not the stop.
                if partitions.hasFailed {
                    step = .readPartitions
                    _ = try partitions.wait()
                }
                throw error
            }

            step = .expandImages
            let expanded = unpacked.images.compactMap { image in image.expandedFrom.map { "\(image.name) (\($0))" } }
            progress(DumpProgress(step: step, fraction: 1, detail: expanded.isEmpty ? "no image to expand" : "expanded " + expanded.joined(separator: ", ")))
            for note in unpacked.skipped {
                progress(DumpProgress(step: step, fraction: 1, detail: "not dumped: " + note))
            }

            step = .readPartitions
            // The dump's own README.md and all_files.txt take the root names; a package's files of the
            // same name are kept as firmware-README.md and firmware-all_files.txt.
            var entries = sink.entries.map { entry in
                var entry = entry
                if ["README.md", "all_files.txt"].contains(entry.path.description) {
                    entry.path = RepoPath("firmware-" + entry.path.description)
                }
                return entry
            }
            var skipped = 0
            var newObjects = sink.newObjects
            var reusedObjects = sink.reusedObjects
            for finished in try partitions.wait() {
                entries += finished.result.entries
                skipped += finished.result.skipped.count
                newObjects += finished.result.newObjects
                reusedObjects += finished.result.reusedObjects
            }

            step = .describe
            progress(DumpProgress(step: step, fraction: 0, detail: "reading properties"))
            let properties = try PropertyResolver.resolve(try Self.propFiles(in: entries, from: store))
            let branch = DumpNaming.branch(for: properties)
            let subgroup = DumpNaming.subgroup(for: properties)
            let project = DumpNaming.project(for: properties)
            progress(DumpProgress(step: step, fraction: 0.5, detail: "\(properties.brand) \(properties.codename)", device: "\(properties.brand) \(properties.codename)"))
            let listing = try Manifest(entries)
            let readme = DumpReadme.render(properties, branch: branch, repo: subgroup + "/" + project)
            var extras = StoreSink(ingester: store.makeIngester())
            try extras.add(AllFilesList.render(listing), at: RepoPath("all_files.txt"))
            try extras.add(Array(readme.utf8), at: RepoPath("README.md"))
            newObjects += extras.newObjects
            reusedObjects += extras.reusedObjects
            let contentBytes = (entries + extras.entries).reduce(UInt64(0)) { $0 + $1.size }
            let (committed, lfsRecords) = try LFSConversion.apply(
                entries + extras.entries, threshold: configuration.lfsThreshold, store: store, ingester: store.makeIngester())
            let manifest = try Manifest(committed)

            step = .commit
            progress(DumpProgress(step: step, fraction: 0, detail: branch))
            let repositoryPath = outputDirectory + "/\(subgroup)/\(project).git"
            try FileManager.default.createDirectory(atPath: outputDirectory + "/" + subgroup, withIntermediateDirectories: true)
            let repository = try DumpRepository(path: repositoryPath)
            let identity = CommitIdentity(date: properties.buildDateUTC ?? 0)
            let outcome = try repository.commit(
                manifest, from: store, branch: branch, message: properties.description, identity: identity, force: force, moveBranch: moveBranch)
            let commit = outcome.commit
            let status: DumpSummary.Status
            switch outcome.change {
            case .created: status = .dumped
            case .replaced: status = .replaced
            case .unchanged: status = .alreadyDumped
            }
            if outcome.change != .unchanged { try saveManifest(manifest, commit: commit) }
            try LFSConversion.save(lfsRecords, commit: commit.hex, configuration: configuration)
            progress(DumpProgress(step: step, fraction: 1, detail: commit.hex))
            return DumpSummary(
                status: status, firmware: firmware, brand: properties.brand, codename: properties.codename, branch: branch,
                commit: commit.hex, repository: repositoryPath, files: manifest.entries.count, bytes: contentBytes,
                newObjects: newObjects, reusedObjects: reusedObjects, skippedSpecialFiles: skipped,
                seconds: Self.seconds(clock.now - started), partitions: unpacked.images.map(\.name), notDumped: unpacked.skipped, properties: properties)
        } catch let failure as DumpFailure {
            throw failure
        } catch {
            throw fail(error)
        }
    }

    /// The prop files the resolver may read, loaded from the store. Prop files are a few KiB; huge
    /// ones are skipped rather than loaded (a hostile package could hold GiBs), and all of them
    /// together stay within a budget, smallest first.
    static func propFiles(in entries: [ManifestEntry], from store: StagingStore) throws -> [PropFile] {
        var budget = propBudget
        return try entries.filter {
            $0.mode != .symlink && $0.size <= maximumPropFileSize && PropertyResolver.isCandidate(path: $0.path.description)
        }.sorted { $0.size < $1.size }.prefix {
            guard $0.size <= budget else { return false }
            budget -= $0.size
            return true
        }.map { PropFile(path: $0.path.description, bytes: try store.read($0.id)) }
    }

    /// Prop files above this size are not read.
    static let maximumPropFileSize: UInt64 = 8 << 20
    /// All prop files read together stay under this size.
    static let propBudget: UInt64 = 64 << 20

    /// Makes sure `--out` is (or can become) a writable directory before any work is done.
    static func prepareOutput(_ directory: String) throws {
        struct OutputProblem: Error, CustomStringConvertible { var description: String }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OutputProblem(description: "--out \(directory) is not a directory") }
        } else {
            do { try Directories.create(directory) } catch {
                throw OutputProblem(description: "--out \(directory) cannot be created: \(error.cause)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw OutputProblem(description: "--out \(directory) is not writable")
        }
    }

    private func makeWorkDirectory() throws -> String {
        let path = configuration.workDirectoryBase + "/dump-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        do { try Directories.create(path, mode: 0o700) } catch {
            throw StagingError("cannot create a work directory under \(configuration.workDirectoryBase) (WORK_DIR_BASE)", cause: error.cause)
        }
        return path
    }

    private func saveManifest(_ manifest: Manifest, commit: ObjectID) throws {
        try FileManager.default.createDirectory(atPath: configuration.manifestDirectory, withIntermediateDirectories: true)
        let path = configuration.manifestDirectory + "/" + commit.hex + ".manifest"
        try Data(manifest.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
