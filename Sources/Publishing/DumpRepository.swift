internal import Foundation
public import DumpCore
public import Git

/// What committing a dump did.
public struct CommitOutcome: Sendable, Hashable {
    /// What happened to the branch.
    public enum Change: Sendable, Hashable {
        /// The branch was created.
        case created
        /// The branch already pointed at this very commit: nothing changed ("already dumped").
        case unchanged
        /// The branch held another commit and was moved (`force`).
        case replaced
    }

    public var commit: ObjectID
    public var tree: ObjectID
    /// Blobs the repository did not have, written in one pack.
    public var packedObjects: Int
    public var change: Change
}

/// The identity and date of a dump's commit, fixed so that the same firmware gives the same commit id.
public struct CommitIdentity: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Seconds since 1970 (the firmware's build date).
    public var date: Int64

    public init(name: String = "dumpyard", email: String = "dumpyard@localhost", date: Int64) {
        self.name = name
        self.email = email
        self.date = date
    }
}

/// A bare repository holding dumps, one branch per build: commits are built straight from a
/// manifest (no work tree), blobs come from the staging store in their stored form.
public final class DumpRepository {
    /// The bare repository's directory.
    public let path: String
    private let repository: GitRepository

    /// Opens the bare repository at `path`, creating it when missing.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            // Made complete under a private name, then renamed into place: two first dumps of one
            // device at once must not meet half-made config and HEAD files.
            let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            do {
                let fresh = try GitRepository.openOrCreateBare(at: temporary)
                // libgit2 reads pack.deltaCacheSize as its big-file threshold as well: a tiny value turns
                // off the delta search that makes bundles of firmware trees several times slower.
                try fresh.setConfig("pack.deltaCacheSize", to: 1)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
            if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        }
        repository = try GitRepository.openBare(at: path)
        self.path = path
    }

    /// Pushes `branch` to `url` (a GitLab project's `http_url_to_repo`) over smart HTTP(S): the
    /// remote negotiates, so only objects it lacks are sent. `force` replaces a branch that holds
    /// other commits; without it that is a refusal.
    ///
    /// With `store` holding every blob of the branch, the pack is written from the store's zlib
    /// streams and sent with dumpyard's own smart-HTTP push (no object is compressed again: libgit2
    /// rebuilds every one, several times slower than git itself); otherwise libgit2 pushes.
    public func push(
        branch: String, to url: String, credentials: GitCredentials, force: Bool, deadline: ContinuousClock.Instant,
        store: (any DeflatedObjectSource & BlobPresence)? = nil, workDirectory: String? = nil, progress: ((GitPushProgress) -> Void)? = nil
    ) throws -> GitPushReport {
        let reference = "refs/heads/" + branch
        if let store, let workDirectory, let commit = try branchTarget(branch) {
            let commitAndTrees = try repository.commitAndTrees(GitObjectID(bytes: commit.bytes))
            let blobs = try repository.blobs(in: commitAndTrees)
            if blobs.allSatisfy({ store.contains(ObjectID(bytes: $0.id.bytes)) }) {
                return try pushFromStore(
                    reference: reference, commit: commit, commitAndTrees: commitAndTrees, blobs: blobs, url: url, credentials: credentials,
                    force: force, deadline: deadline, store: store, workDirectory: workDirectory)
            }
        }
        return try repository.push([(force ? "+" : "") + reference + ":" + reference], to: url, credentials: credentials, deadline: deadline, progress: progress)
    }

    /// The pack of what the server lacks (objects of the commits it advertises that this
    /// repository has are left out), written from the store, then one receive-pack POST.
    private func pushFromStore(
        reference: String, commit: ObjectID, commitAndTrees: [GitRawObject], blobs: [(id: GitObjectID, size: UInt64)], url: String,
        credentials: GitCredentials, force: Bool, deadline: ContinuousClock.Instant, store: some DeflatedObjectSource, workDirectory: String
    ) throws -> GitPushReport {
        let remote = SmartHTTPPush(url: url, username: credentials.username, password: credentials.password, timeout: deadline - .now)
        let refs = try remote.advertisedRefs()
        let zero = String(repeating: "0", count: 40)
        let old = refs[reference] ?? zero
        if old == commit.hex { return GitPushReport(objects: 0, bytes: 0) }
        if old != zero && !force { throw GitPushError.rejected([reference: "not a fast-forward: the remote branch holds other commits"]) }
        // What the server has: everything its advertised commits reach, where this repository has them.
        var known = Set<GitObjectID>()
        let advertised = Set(refs.values).compactMap { ObjectID(hex: $0) }.map { GitObjectID(bytes: $0.bytes) }
        for (id, present) in zip(advertised, try repository.containsEach(advertised)) where present {
            guard (try? repository.isCommit(id)) == true else { continue }
            let reached = try repository.commitAndTrees(id)
            for object in reached { known.insert(object.id) }
            for blob in try repository.blobs(in: reached) { known.insert(blob.id) }
        }
        var inputs: [PackInput] = []
        for object in commitAndTrees where !known.contains(object.id) {
            inputs.append(.raw(id: ObjectID(bytes: object.id.bytes), type: object.type, content: object.content))
        }
        for blob in blobs where !known.contains(blob.id) { inputs.append(.stored(id: ObjectID(bytes: blob.id.bytes), size: blob.size)) }
        let directory = workDirectory + "/push-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let name = try PackWriter(packDirectory: directory).write(inputs, from: store) else { return GitPushReport(objects: 0, bytes: 0) }
        let pack = directory + "/" + name + ".pack"
        let bytes = (try? FileManager.default.attributesOfItem(atPath: pack)[.size] as? Int) ?? 0
        try remote.push(reference: reference, old: old, new: commit.hex, pack: pack)
        return GitPushReport(objects: inputs.count, bytes: bytes)
    }

    /// True when `branch` routes files through Git LFS (its root `.gitattributes` says so).
    public func usesLFS(branch: String) throws -> Bool {
        guard let attributes = try repository.blobContent("refs/heads/\(branch):.gitattributes") else { return false }
        return String(decoding: attributes, as: UTF8.self).contains("filter=lfs")
    }

    /// Opens an existing dump repository; fails when there is none at `path`.
    public init(existingAt path: String) throws {
        repository = try GitRepository.openBare(at: path)
        self.path = path
    }

    /// The commit `branch` points at, or nil.
    public func branchTarget(_ branch: String) throws -> ObjectID? {
        try repository.referenceTarget("refs/heads/" + branch).map { ObjectID(bytes: $0.bytes) }
    }

    /// Commits `manifest` as the single, parentless commit of `branch`.
    ///
    /// Writes the blobs the repository lacks as one pack straight from `source`, builds the trees
    /// with libgit2 from the manifest, and creates the commit with `identity` as author and
    /// committer. The same build again finds its own commit on the branch and changes nothing; a
    /// branch that holds a different build is replaced only when `force` (two builds whose
    /// descriptions give the same branch name must not overwrite each other silently). The branch
    /// is created atomically, so concurrent dumps cannot lose one another's result.
    ///
    /// With `moveBranch` false every object is written but the branch is left alone: the outcome
    /// says what `setBranch` will do (a worker moves the branch later, as its fenced publish step).
    public func commit(
        _ manifest: Manifest, from source: some DeflatedObjectSource, branch: String, message: String,
        identity: CommitIdentity, force: Bool, moveBranch: Bool = true
    ) throws -> CommitOutcome {
        let reference = "refs/heads/" + branch
        let existing = try repository.referenceTarget(reference)

        // Trees and the commit first, in memory (libgit2 does not need the blobs for that: see
        // GitLibrary): a refused dump then writes nothing at all.
        try repository.keepNewObjectsInMemory()
        let tree = try repository.writeTree(manifest.entries.map {
            GitTreeEntry(path: $0.path.bytes, mode: $0.mode.rawValue, id: GitObjectID(bytes: $0.id.bytes))
        })
        let signature = GitSignature(name: identity.name, email: identity.email, time: identity.date)
        let commit = try repository.createCommit(tree: tree, message: message, author: signature, committer: signature)
        let built = try repository.commitAndTrees(commit)
        try repository.discardMemoryObjects()
        var packedBlobs = 0
        let outcome = { (change: CommitOutcome.Change) in
            CommitOutcome(commit: ObjectID(bytes: commit.bytes), tree: ObjectID(bytes: tree.bytes), packedObjects: packedBlobs, change: change)
        }
        if existing == commit { return outcome(.unchanged) }
        if let existing, !force {
            // The same build dumped from another package (an OTA after the factory image) has the
            // same message but other kept files: say so, it is not another build.
            if (try? repository.commitMessage(existing)) == message {
                throw PublishingError(
                    "branch \(branch) of \(path) already holds a dump of this build from another package (commit \(existing.hex), other package files); --force replaces it")
            }
            throw PublishingError("branch \(branch) of \(path) already holds a different build (commit \(existing.hex)); --force replaces it")
        }

        // Then the blobs the repository lacks, copied from the store as one pack.
        var unique: [(id: ObjectID, size: UInt64)] = []
        var seen = Set<ObjectID>()
        for entry in manifest.entries where seen.insert(entry.id).inserted { unique.append((entry.id, entry.size)) }
        let present = try repository.containsEach(unique.map { GitObjectID(bytes: $0.id.bytes) })
        let missing = zip(unique, present).filter { !$0.1 }.map(\.0)
        if try PackWriter(packDirectory: path + "/objects/pack").write(blobs: missing, from: source) != nil {
            // Every blob the tree names must now be in a pack.
            let absent = zip(unique, try repository.containsEach(unique.map { GitObjectID(bytes: $0.id.bytes) })).filter { !$0.1 }
            if let first = absent.first {
                throw PublishingError("\(absent.count) objects are missing from \(path) after packing, e.g. \(first.0.id.hex)")
            }
        }
        packedBlobs = missing.count
        // Only what the packs lack (a forced re-dump of the same tree has it all already).
        let packed = try repository.containsEach(built.map(\.id))
        let newObjects = zip(built, packed).filter { !$0.1 }.map {
            PackInput.raw(id: ObjectID(bytes: $0.0.id.bytes), type: $0.0.type, content: $0.0.content)
        }
        if try PackWriter(packDirectory: path + "/objects/pack").write(newObjects, from: source) != nil {
            try repository.refreshObjects()
        }
        guard moveBranch else { return outcome(existing == nil ? .created : .replaced) }
        let change = try setBranch(branch, to: ObjectID(bytes: commit.bytes), message: message, force: force, expecting: existing)
        return outcome(change)
    }

    /// Points `branch` at `commit`, a commit already in the repository: created atomically, left
    /// alone when it already points there (`.unchanged`: published before), replaced only when
    /// `force`. A branch holding another build without `force` is an error naming it.
    @discardableResult
    public func setBranch(_ branch: String, to target: ObjectID, message: String, force: Bool) throws -> CommitOutcome.Change {
        guard try repository.containsEach([GitObjectID(bytes: target.bytes)]) == [true] else {
            throw PublishingError("commit \(target.hex) is not in \(path): nothing to point branch \(branch) at")
        }
        return try setBranch(branch, to: target, message: message, force: force, expecting: repository.referenceTarget("refs/heads/" + branch))
    }

    private func setBranch(_ branch: String, to target: ObjectID, message: String, force: Bool, expecting existing: GitObjectID?) throws -> CommitOutcome.Change {
        let reference = "refs/heads/" + branch
        let commit = GitObjectID(bytes: target.bytes)
        if existing == commit { return .unchanged }
        if let existing, !force {
            throw PublishingError("branch \(branch) of \(path) already holds a different build (commit \(existing.hex)); --force replaces it")
        }
        let logMessage = "dumpyard: \(message)"
        if let existing {
            try repository.replaceReference(reference, expecting: existing, with: commit, logMessage: logMessage)
        } else {
            // Create atomically; another dump may hold the lock or win the race.
            var attempt = 0
            while true {
                let failure: GitError?
                do {
                    try repository.setReference(reference, to: commit, force: false, logMessage: logMessage)
                    failure = nil
                } catch {
                    failure = error
                }
                guard let failure else { break }
                guard failure.isLocked || failure.isAlreadyExists else { throw failure }
                if failure.isLocked && attempt < 50 {
                    attempt += 1
                    usleep(20_000)
                }
                if let winner = try repository.referenceTarget(reference) {
                    if winner == commit { return .unchanged }
                    throw PublishingError("branch \(branch) of \(path) was just created by another dump with a different build (commit \(winner.hex))")
                }
                if attempt >= 50 { throw failure }
            }
        }

        if repository.isHeadUnborn {
            // Two first dumps of a device race for HEAD; either branch is a fine default.
            do { try repository.setHead(reference) } catch { if repository.isHeadUnborn { throw error } }
        }
        return existing == nil ? .created : .replaced
    }

    /// The local branches, sorted.
    public func branches() throws -> [String] { try repository.branchNames() }

    /// Writes a git bundle (v2) of `branch` to `file`: the header with the branch and a `HEAD`
    /// line (so `git clone` checks it out), then libgit2's packbuilder output. Written to a temporary
    /// file first, so `file` is either complete or untouched. Returns the object count.
    public func writeBundle(branch: String, to file: String) throws -> (commit: ObjectID, objects: Int) {
        guard let tip = try repository.referenceTarget("refs/heads/" + branch) else {
            throw PublishingError("no branch \(branch) in \(path)")
        }
        let temporary = file + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let out = try OutputFile(path: temporary)
        var done = false
        defer { if !done { unlink(temporary) } }
        let header = "# v2 git bundle\n\(tip.hex) refs/heads/\(branch)\n\(tip.hex) HEAD\n\n"
        try Array(header.utf8).withUnsafeBytes { try out.write($0) }
        let count = try repository.writePack(of: tip) { bytes in try bytes.withUnsafeBytes { try out.write($0) } }
        try out.close()
        guard rename(temporary, file) == 0 else {
            throw PublishingError("cannot write \(file): \(String(cString: strerror(errno)))")
        }
        chmod(file, 0o644)
        done = true
        return (ObjectID(bytes: tip.bytes), count)
    }
}
