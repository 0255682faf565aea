#if canImport(Glibc)
internal import Glibc
#endif
internal import DumpCore

/// The members that become partition images: file systems, sparse images, super images, payloads.
extension PackageWalk {
    /// A file system image member: read in place when stored, else written to a work file.
    mutating func fileSystem(_ member: Member, kind: ContentKind, _ stream: inout some ByteSource, level: Level) throws {
        guard let parsed = PartitionName.parse(memberPath: member.path) else {
            throw FirmwareError(file: member.origin, cause: "cannot tell the partition name from the file name")
        }
        guard PartitionName.isDumped(parsed.name) else {
            skipped.append("\(member.origin): \(parsed.name) is not a dumped partition")
            return
        }
        let bytes = try randomAccess(member, &stream)
        let image = PartitionImage(
            name: parsed.name, kind: kind, origin: member.origin, expandedFrom: nil, backing: bytes.backing, extents: bytes.extents)
        try adopt(image, slot: parsed.slot, level: level)
    }

    /// A sparse member: expanded into a work file, then a file system or a super image.
    mutating func sparse(_ member: Member, _ stream: inout some ByteSource, level: Level) throws {
        let opened: any ByteSource = stream
        try expandSparse(pieces: [(member.origin, { opened })], member: member, level: level)
    }

    /// Expands the sparse `pieces` (one image, or the pieces of a split one in order) onto one
    /// work file and hands over what it holds.
    mutating func expandSparse(pieces: [(origin: String, open: () throws -> any ByteSource)], member: Member, level: Level) throws {
        if let size = member.size { try work.checkFreeSpace(for: size, origin: member.origin) }
        let path = work.newPath(member.fileName)
        let backing = ImageBacking(path: path, isWorkFile: true)
        let fd = try WorkFiles.create(path, origin: member.origin)
        defer { close(fd) }
        var rawSize: UInt64?
        // Pieces of a split image each carry their own blocks: one writing blocks an earlier one
        // wrote means the pieces do not belong together.
        var earlier = BlockRanges()
        for (number, piece) in pieces.enumerated() {
            var source = AnyByteSource(base: try piece.open())
            var mine: [(start: UInt64, end: UInt64)] = []
            let checkOverlap = pieces.count > 1
            var charged: UInt64 = 0
            let header = try SparseImage.expand(source: &source, into: fd, file: piece.origin, overlay: rawSize != nil) { [work] written in
                try work.charge(written - charged, origin: piece.origin)
                charged = written
                try work.checkStillFree(afterWriting: written, origin: piece.origin)
            } wroteBlocks: { start, count, offset in
                guard checkOverlap else { return }
                if let other = earlier.owner(overlapping: start, start + count) {
                    throw FirmwareError(
                        file: piece.origin, offset: offset,
                        cause: "writes blocks \(start)–\(start + count - 1), which \(pieces[other].origin) already wrote: the pieces do not belong together")
                }
                mine.append((start, start + count))
            }
            earlier.add(mine, owner: number)
            if let rawSize, rawSize != header.rawSize {
                throw FirmwareError(file: piece.origin, cause: "this piece describes a \(header.rawSize)-byte image, the first one a \(rawSize)-byte one")
            }
            rawSize = header.rawSize
        }
        let file = try OpenFile(path: path, origin: member.origin)
        let slice = file.slice(origin: member.origin)
        let kind = try slice.contentKind()
        let bytes = StoredBytes(slice: slice, backing: backing)
        switch kind {
        case .ext4, .erofs:
            guard let parsed = PartitionName.parse(memberPath: member.path) else {
                throw FirmwareError(file: member.origin, cause: "cannot tell the partition name from the file name")
            }
            guard PartitionName.isDumped(parsed.name) else {
                skipped.append("\(member.origin): \(parsed.name) is not a dumped partition")
                return
            }
            let image = PartitionImage(name: parsed.name, kind: kind, origin: member.origin, expandedFrom: "sparse", backing: backing, extents: bytes.extents)
            try adopt(image, slot: parsed.slot, level: level)
        case .superImage:
            try superImage(bytes, member: member, level: level, expandedFrom: "sparse")
        default:
            throw FirmwareError(file: member.origin, cause: "the sparse image holds no ext4, EROFS or super image (\(kind))")
        }
    }

    /// A super image: its logical partitions are read in place, by extent (no copy). A super that
    /// holds no partition data (metadata only) is kept as a plain file.
    mutating func superImage(_ bytes: StoredBytes, member: Member, level: Level, expandedFrom: String?) throws {
        let partitions = try SuperImage.partitions(in: bytes.slice)
        guard !partitions.isEmpty else {
            var source = SliceSource(bytes.slice)
            let kept = Member(path: member.path, mode: member.mode, size: bytes.slice.length, origin: member.origin, inPlace: { bytes }, source: source)
            try plain(kept, &source, level: level)
            return
        }
        let via = expandedFrom.map { "super image, \($0)" } ?? "super image"
        for partition in partitions {
            let origin = "\(member.origin):\(partition.name)"
            let extents = partition.extents.map { extent in
                guard case .data(let offset) = extent.source else { return extent }
                return ImageExtent(length: extent.length, source: .data(offset: bytes.slice.offset + offset))
            }
            let image = PartitionImage(name: partition.name, kind: .other, origin: origin, expandedFrom: via, backing: bytes.backing, extents: extents)
            let file = try image.open()
            let kind = try file.contentKind()
            guard kind.isFileSystem else {
                skipped.append("\(origin): holds no ext4 or EROFS file system (\(kind))")
                continue
            }
            guard PartitionName.isDumped(partition.name) else {
                skipped.append("\(origin): \(partition.name) is not a dumped partition")
                continue
            }
            var typed = image
            typed.kind = kind
            try adopt(typed, slot: nil, level: level)
        }
    }

    /// An A/B OTA payload: its partitions are extracted into work files, in parallel; those that
    /// hold a file system become partition images, the others (boot, vbmeta, dtbo, …) are kept as
    /// `<name>.img` files.
    mutating func payload(_ bytes: StoredBytes, member: Member, level: Level) throws {
        let extractor = try PayloadExtractor(payload: bytes.slice)
        try work.charge(extractor.plan.diskBytesNeeded, origin: member.origin)
        // ZERO operations cost nothing to write but every byte costs reading and hashing: the
        // partitions together may be at most 32 × the payload + 8 GiB (real OTAs: 2–5 ×).
        let logical = extractor.partitions.reduce(UInt64(0)) { $0 &+ $1.size }
        let (scaled, overflow) = bytes.slice.length.multipliedReportingOverflow(by: 32)
        guard overflow || logical <= scaled &+ (8 << 30) else {
            throw FirmwareError(
                file: member.origin,
                cause: "its partitions add up to \(logical) bytes, more than 32 × the payload's \(bytes.slice.length) + 8 GiB: mostly zeros, not an OTA")
        }
        let directory = work.newPath("payload")
        guard mkdir(directory, 0o700) == 0 else {
            throw FirmwareError(file: member.origin, cause: "cannot create a work directory: \(String(cString: strerror(errno)))")
        }
        let report = unpacker.progress
        let payloadOrigin = member.origin
        let extracted = try extractor.extract(into: directory, threads: unpacker.threads) { done, total in
            report?(UnpackProgress(origin: payloadOrigin, done: done, total: total))
        }
        // Every image gets its owner before any is handed over, so a failure deletes them all.
        let backings = extracted.map { ImageBacking(path: $0.path, isWorkFile: true) }
        for (partition, backing) in zip(extracted, backings) {
            let origin = "\(member.origin):\(partition.name)"
            let file = try OpenFile(path: partition.path, origin: origin)
            let kind = try file.slice(origin: origin).contentKind()
            if kind.isFileSystem {
                guard PartitionName.isDumped(partition.name) else {
                    skipped.append("\(origin): \(partition.name) is not a dumped partition")
                    continue
                }
                let image = PartitionImage(
                    name: partition.name, kind: kind, origin: origin, expandedFrom: "payload", backing: backing,
                    extents: [.data(at: 0, length: partition.size)])
                try adopt(image, slot: nil, level: level)
            } else {
                var source = SliceSource(file.slice(origin: origin))
                var components = member.path.components.dropLast().map { String(decoding: $0, as: UTF8.self) }
                components.append(partition.name + ".img")
                let kept = Member(
                    path: RepoPath(components.joined(separator: "/")), mode: .regular, size: partition.size, origin: origin,
                    source: source)
                try plain(kept, &source, level: level)
            }
        }
    }
}

/// Block ranges written by earlier pieces of a split sparse image, to find overlaps.
struct BlockRanges {
    private var ranges: [(start: UInt64, end: UInt64, owner: Int)] = []

    /// Adds one piece's ranges (ascending, as a sparse image writes them).
    mutating func add(_ new: [(start: UInt64, end: UInt64)], owner: Int) {
        ranges += new.map { ($0.start, $0.end, owner) }
        ranges.sort { $0.start < $1.start }
    }

    /// The piece that wrote any block of `[start, end)`, if one did.
    func owner(overlapping start: UInt64, _ end: UInt64) -> Int? {
        // The first range that ends after `start` (ends ascend: the ranges are disjoint).
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].end <= start { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].start < end ? ranges[low].owner : nil
    }
}
