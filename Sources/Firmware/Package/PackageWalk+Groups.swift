#if canImport(Glibc)
internal import Glibc
#endif
internal import Compression
internal import DumpCore

/// A member kept for a group, to be read when the whole group is known.
struct GroupPiece {
    var path: RepoPath
    var mode: FileMode
    var size: UInt64?
    var origin: String
    var open: () throws -> any ByteSource
}

/// The members of one archive that belong together, collected during the walk: block OTA pieces
/// per partition and split sparse pieces per image, in order of first appearance. Members of
/// different directories never form one group (`system.transfer.list` and
/// `backup/system.transfer.list` are two).
struct MemberGroups {
    struct BlockOTA {
        var partition: String
        var transferList: GroupPiece?
        var data: [(encoding: MemberRole.Encoding, piece: Int?, member: GroupPiece)] = []
        var patch: GroupPiece?
    }

    struct SparsePieces {
        var base: String
        var pieces: [(index: Int, member: GroupPiece)] = []
    }

    var blockOTAs: [String: BlockOTA] = [:]
    var sparsePieces: [String: SparsePieces] = [:]
    var order: [String] = []
    private var known: Set<String> = []

    mutating func add(_ role: MemberRole, _ piece: GroupPiece) {
        let directory = String(decoding: piece.path.bytes.dropLast(piece.path.components.last?.count ?? 0), as: UTF8.self)
        switch role {
        case .transferList(let partition):
            let key = note("ota", directory, partition)
            blockOTAs[key, default: BlockOTA(partition: partition)].transferList = piece
        case .newData(let partition, let encoding, let number):
            let key = note("ota", directory, partition)
            blockOTAs[key, default: BlockOTA(partition: partition)].data.append((encoding, number, piece))
        case .patchData(let partition):
            let key = note("ota", directory, partition)
            blockOTAs[key, default: BlockOTA(partition: partition)].patch = piece
        case .sparsePiece(let base, let index):
            let key = note("sparse", directory, base)
            sparsePieces[key, default: SparsePieces(base: base)].pieces.append((index, piece))
        case .single:
            break
        }
    }

    /// The group's key (kind, directory, name), noted in order of first appearance.
    private mutating func note(_ kind: String, _ directory: String, _ name: String) -> String {
        let key = kind + "\u{0}" + directory + "\u{0}" + name
        if known.insert(key).inserted { order.append(key) }
        return key
    }
}

extension PackageWalk {
    /// Handles the groups of one archive once all its members were seen.
    mutating func finishGroups(_ groups: MemberGroups, archive: String, level: Level) throws {
        for key in groups.order {
            if let ota = groups.blockOTAs[key] {
                try finishBlockOTA(ota.partition, ota, level: level)
            } else if let split = groups.sparsePieces[key] {
                try finishSparsePieces(split.base, split.pieces, level: level)
            }
        }
    }

    /// Members that turned out not to form a group are kept as plain files.
    private mutating func keepPlain(_ pieces: [GroupPiece], level: Level) throws {
        for piece in pieces {
            var source = try piece.open()
            try plain(Member(path: piece.path, mode: piece.mode, size: piece.size, origin: piece.origin, source: source), &source, level: level)
        }
    }

    /// `super.img_sparsechunk.N` / `super.img.N`: sparse pieces joined in numeric order.
    private mutating func finishSparsePieces(_ base: String, _ pieces: [(index: Int, member: GroupPiece)], level: Level) throws {
        let ordered = pieces.sorted { $0.index < $1.index }
        // Pieces that are not sparse are not a split image (`notes.img.1`): kept as they are.
        var sparse: [Bool] = []
        for piece in ordered {
            var source = try piece.member.open()
            sparse.append(ContentKind.detect(try source.readBytes(28)) == .androidSparse)
        }
        guard sparse.contains(true) else {
            try keepPlain(ordered.map(\.member), level: level)
            return
        }
        if let odd = sparse.firstIndex(of: false) {
            throw FirmwareError(file: ordered[odd].member.origin, cause: "not a sparse image, unlike the other pieces of \(base).img")
        }
        if let duplicate = zip(ordered, ordered.dropFirst()).first(where: { $0.index == $1.index }) {
            throw FirmwareError(file: duplicate.1.member.origin, cause: "two pieces numbered \(duplicate.1.index) of \(base).img")
        }
        // Numbered from 0 or 1 without a gap: a missing piece would leave its blocks as zeros.
        let numbers = ordered.map(\.index)
        if numbers[0] > 1 || numbers.last! - numbers[0] + 1 != numbers.count {
            let missing = (numbers[0] > 1 ? Array(0..<numbers[0]) : []) + (numbers[0]...numbers.last!).filter { !numbers.contains($0) }
            throw FirmwareError(
                file: ordered[0].member.origin,
                cause: "piece \(missing.map(String.init).joined(separator: ", ")) of \(base).img is missing (the package has pieces \(numbers.map(String.init).joined(separator: ", ")))")
        }
        let first = ordered[0].member
        var components = first.path.components.dropLast().map { String(decoding: $0, as: UTF8.self) }
        components.append(base + ".img")
        let total = ordered.reduce(UInt64(0)) { sum, piece in
            let (next, overflow) = sum.addingReportingOverflow(piece.member.size ?? 0)
            return overflow ? .max : next
        }
        let member = Member(
            path: RepoPath(components.joined(separator: "/")), mode: first.mode, size: total,
            origin: first.origin + (ordered.count > 1 ? " (+\(ordered.count - 1) pieces)" : ""), source: MemorySource([]))
        try expandSparse(pieces: ordered.map { ($0.member.origin, $0.member.open) }, member: member, level: level)
    }

    /// `P.transfer.list` with `P.new.dat[.br|.xz|.N]`: the block image they describe, written
    /// to a work file as the new data streams in (split pieces joined, brotli or xz decoded).
    private mutating func finishBlockOTA(_ partition: String, _ group: MemberGroups.BlockOTA, level: Level) throws {
        guard let listPiece = group.transferList, !group.data.isEmpty else {
            try keepPlain([group.transferList, group.patch].compactMap { $0 } + group.data.map(\.member), level: level)
            return
        }
        var listSource = try listPiece.open()
        let text = try listSource.readBytes(TransferList.maximumTextSize + 1)
        guard text.count <= TransferList.maximumTextSize else {
            throw FirmwareError(file: listPiece.origin, cause: "a transfer list of more than \(TransferList.maximumTextSize >> 20) MiB")
        }
        let list = try TransferList.read(text, file: listPiece.origin)
        // A full OTA's patch.dat is empty; one that holds data is kept as it is (never dropped).
        if let patch = group.patch {
            var probe = try patch.open()
            if try !probe.readBytes(1).isEmpty { try keepPlain([patch], level: level) }
        }
        // One stream of new data: a single file, or numbered pieces in order.
        let single = group.data.filter { $0.piece == nil }
        let pieces = group.data.filter { $0.piece != nil }.sorted { $0.piece! < $1.piece! }
        guard single.count + (pieces.isEmpty ? 0 : 1) == 1 else {
            let names = group.data.map(\.member.origin).joined(separator: ", ")
            throw FirmwareError(file: listPiece.origin, cause: "more than one new data stream for \(partition): \(names)")
        }
        if let duplicate = zip(pieces, pieces.dropFirst()).first(where: { $0.piece == $1.piece }) {
            throw FirmwareError(file: duplicate.1.member.origin, cause: "two pieces numbered \(duplicate.1.piece!) of \(partition).new.dat")
        }
        let parts = single.isEmpty ? pieces : single
        let dataOrigin = parts[0].member.origin + (parts.count > 1 ? " (+\(parts.count - 1) pieces)" : "")
        let joined = ConcatenatedSource(parts.map(\.member.open))
        var newData: any ByteSource
        switch parts[0].encoding {
        case .plain: newData = joined
        case .brotli: newData = DecodingSource(joined, decoder: try BrotliDecoder(), origin: dataOrigin)
        case .xz: newData = try DecodingSource(joined, format: .xz, origin: dataOrigin)
        }
        try work.charge(list.newDataSize, origin: dataOrigin)
        try work.checkFreeSpace(for: list.newDataSize, origin: dataOrigin)
        let path = work.newPath(partition)
        let backing = ImageBacking(path: path, isWorkFile: true)
        let fd = try WorkFiles.create(path, origin: dataOrigin)
        defer { close(fd) }
        var stream = AnyByteSource(base: newData)
        _ = try BlockImageWriter.write(list, newData: &stream, to: fd, origin: dataOrigin)
        let file = try OpenFile(path: path, origin: dataOrigin)
        let kind = try file.slice(origin: dataOrigin).contentKind()
        guard kind.isFileSystem else {
            throw FirmwareError(file: dataOrigin, cause: "the block image holds no ext4 or EROFS file system (\(kind))")
        }
        guard let parsed = PartitionName.parse(fileName: partition + ".img"), PartitionName.isDumped(parsed.name) else {
            skipped.append("\(dataOrigin): \(partition) is not a dumped partition")
            return
        }
        let image = PartitionImage(
            name: parsed.name, kind: kind, origin: dataOrigin, expandedFrom: "block OTA", backing: backing, extents: [.data(at: 0, length: file.size)])
        try adopt(image, slot: parsed.slot, level: level)
    }
}
