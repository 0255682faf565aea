internal import DumpCore

/// Where members land in the dump: plain file paths, partition names, slots, relocation.
extension PackageWalk {
    /// The path a plain file takes: its own, unless an earlier archive's file took it — then it
    /// moves under a directory named after its archive, so nothing is overwritten. Two files of
    /// the top level (or a top-level file after a nested one) cannot move: that fails, naming both.
    mutating func place(_ path: RepoPath, origin: String, level: Level) throws -> RepoPath {
        guard let earlier = paths[path.bytes] else {
            paths[path.bytes] = origin
            return path
        }
        guard let stem = level.archiveStem else {
            throw FirmwareError(file: origin, cause: "its path \(DisplayName.of(path.bytes)) is already taken by \(earlier)")
        }
        var n = 1
        var candidate: RepoPath
        repeat {
            candidate = RepoPath(bytes: Array((relocationDirectory(stem, n) + "/").utf8) + path.bytes)
            n += 1
        } while paths[candidate.bytes] != nil
        paths[candidate.bytes] = origin
        return candidate
    }

    /// The directory a nested archive's colliding names move to: its stem, or `stem~N` when the
    /// stem is a partition's name (a nested `system.zip` must not land inside the system tree).
    func relocationDirectory(_ stem: String, _ attempt: Int = 1) -> String {
        var n = attempt
        while true {
            let candidate = n == 1 ? stem : "\(stem)~\(n)"
            if partitions[candidate] == nil && !PartitionName.isDumped(candidate) { return candidate }
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
        if let earlier = partitions[image.name] {
            guard let stem = level.archiveStem else {
                throw FirmwareError(file: image.origin, cause: "two images for the partition \(image.name): \(earlier) and \(image.origin)")
            }
            image.name = relocationDirectory(stem) + "/" + image.name
            if let again = partitions[image.name] {
                throw FirmwareError(file: image.origin, cause: "two images for the partition \(image.name): \(again) and \(image.origin)")
            }
        }
        partitions[image.name] = image.origin
        images.append(image.summary)
        try sink.image(image)
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
