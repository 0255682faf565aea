internal import DumpCore

/// Where members land in the dump: plain file paths, partition names, slots, relocation.
///
/// Every name handed over is recorded with its origin: a file's path, and each directory a file
/// or a partition's tree needs. A new name clashes with an earlier one when it is the same
/// path, when it needs a directory where a file is, or when it is a file where a directory (or
/// a partition's tree) is.
extension PackageWalk {
    /// The path a plain file takes: its own, unless it clashes with an earlier name — then a
    /// nested archive's file moves under a directory named after its archive, so nothing is
    /// overwritten; a top-level file cannot move, and the clash fails, naming both members.
    mutating func place(_ path: RepoPath, origin: String, level: Level) throws -> RepoPath {
        var candidate = path
        if let earlier = clash(candidate.bytes, asFile: true) {
            guard let stem = level.archiveStem else {
                throw FirmwareError(file: origin, cause: "its path \(DisplayName.of(path.bytes)) clashes with \(earlier)")
            }
            var n = 1
            repeat {
                candidate = RepoPath(bytes: Array((relocationDirectory(stem, n) + "/").utf8) + path.bytes)
                n += 1
            } while clash(candidate.bytes, asFile: true) != nil
        }
        do { candidate = try RepoPath.validated(candidate.bytes) } catch { throw FirmwareError(file: origin, cause: error.description) }
        record(candidate.bytes, asFile: true, origin: origin)
        return candidate
    }

    /// The directory a nested archive's clashing names move to: its stem, or `stem~N` when the
    /// stem is a partition's name (a nested `system.zip` must not land inside the system tree)
    /// or a file's.
    func relocationDirectory(_ stem: String, _ attempt: Int = 1) -> String {
        var n = attempt
        while true {
            let candidate = n == 1 ? stem : "\(stem)~\(n)"
            if partitions[candidate] == nil && paths[Array(candidate.utf8)] == nil && !PartitionName.isDumped(candidate) {
                return candidate
            }
            n += 1
        }
    }

    /// Hands a partition image over under its partition's name; slot-b images wait for the end.
    mutating func adopt(_ image: PartitionImage, slot: Character?, level: Level) throws {
        var image = image
        if slot == "b" {
            slotB.append((image, level))
            return
        }
        if let earlier = clash(Array(image.name.utf8), asFile: false) {
            guard let stem = level.archiveStem else {
                if let other = partitions[image.name] {
                    throw FirmwareError(file: image.origin, cause: "two images for the partition \(image.name): \(other) and \(image.origin)")
                }
                throw FirmwareError(file: image.origin, cause: "the partition \(image.name) clashes with \(earlier)")
            }
            var n = 1
            var name: String
            repeat {
                name = relocationDirectory(stem, n) + "/" + image.name
                n += 1
            } while clash(Array(name.utf8), asFile: false) != nil
            image.name = name
        }
        partitions[image.name] = image.origin
        record(Array(image.name.utf8), asFile: false, origin: "the partition \(image.name) (\(image.origin))")
        images.append(image.summary)
        try sink.image(image)
    }

    /// What an earlier name `bytes` clashes with, if anything (`asFile`: a plain file's path, else
    /// a partition's tree, which needs the directory to itself).
    func clash(_ bytes: [UInt8], asFile: Bool) -> String? {
        if let file = paths[bytes] { return file }
        // A directory there: files need it for themselves, a partition's tree would merge into it.
        if let directory = directories[bytes] { return directory }
        var prefix = bytes
        while let slash = prefix.lastIndex(of: UInt8(ascii: "/")) {
            prefix.removeSubrange(slash...)
            if let file = paths[prefix] { return file }
            if let tree = partitions[String(decoding: prefix, as: UTF8.self)] { return "the partition \(String(decoding: prefix, as: UTF8.self)) (\(tree))" }
        }
        return nil
    }

    /// Records a file's path, or a partition's directory, and the directories above it.
    mutating func record(_ bytes: [UInt8], asFile: Bool, origin: String) {
        if asFile { paths[bytes] = origin } else { directories[bytes] = directories[bytes] ?? origin }
        var prefix = bytes
        while let slash = prefix.lastIndex(of: UInt8(ascii: "/")) {
            prefix.removeSubrange(slash...)
            if directories[prefix] == nil { directories[prefix] = origin }
        }
    }

    /// Slot-b images whose partition got no other image are dumped; the rest are noted.
    mutating func settleSlotB() throws {
        let pending = slotB
        slotB = []
        for (image, level) in pending {
            if partitions[image.name] != nil {
                skipped.append("\(image.origin): slot b of \(image.name), slot a is dumped")
            } else {
                try adopt(image, slot: nil, level: level)
            }
        }
    }
}
