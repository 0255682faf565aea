/// A full block OTA transfer list (`P.transfer.list`, versions 1–4): how the `new.dat` stream
/// and zeros lay out the partition image.
///
/// Line 1 is the version, line 2 the total blocks written; versions 2+ add two stash lines. Then
/// one command per line: `erase R`, `new R` (the next blocks of new.dat go to R, in order),
/// `zero R`, where R is a range set `N,a1,b1,…`. Incremental commands (`move`, `bsdiff`,
/// `imgdiff`, `stash`, `free`) need the source image and are rejected.
///
/// The image is as large as the highest block any range ends at (sdat2img's rule: image size =
/// max end block × 4096); blocks no range covers, and erased or zeroed blocks, read as zeros.
public struct TransferList: Sendable, Hashable {
    /// The block size of block OTAs.
    public static let blockSize: UInt64 = 4096
    /// Highest block number accepted (2^32 blocks = 16 TiB).
    public static let maximumBlock: UInt64 = 1 << 32
    /// Largest transfer list accepted, in bytes.
    public static let maximumTextSize = 64 << 20

    /// One step of writing the image, in list order.
    public enum Step: Sendable, Hashable {
        /// The next blocks of new.dat go to these ranges, in order.
        case new([BlockRange])
        /// These blocks, written by some `new` command, must read as zeros from here on (an
        /// `erase` or `zero` over them). Usually absent: zero ranges of a full OTA are holes.
        case zeros([BlockRange])
    }

    /// The format version (1–4).
    public var version: Int
    /// Line 2: the total blocks the list says it writes.
    public var declaredTotalBlocks: UInt64
    /// The steps, in order.
    public var steps: [Step]
    /// The blocks the image spans: the highest range end.
    public var blockCount: UInt64
    /// The number of blocks the `new` commands take from new.dat.
    public var newBlockCount: UInt64

    /// The image size in bytes (`blockCount` × 4096).
    public var imageSize: UInt64 { blockCount * Self.blockSize }
    /// The bytes new.dat must hold.
    public var newDataSize: UInt64 { newBlockCount * Self.blockSize }
    /// The `new` ranges in order.
    public var newRanges: [BlockRange] {
        steps.flatMap { step -> [BlockRange] in if case .new(let r) = step { return r } else { return [] } }
    }

    /// Parses a transfer list.
    public init(parsing text: some Collection<UInt8>) throws(TransferListError) {
        guard text.count <= Self.maximumTextSize else {
            throw TransferListError(line: 0, cause: "transfer list is \(text.count) bytes, more than \(Self.maximumTextSize)")
        }
        guard text.allSatisfy({ $0 < 0x80 }) else { throw TransferListError(line: 0, cause: "transfer list is not ASCII text") }
        let lines = Array(text).split(separator: 0x0A, omittingEmptySubsequences: false).map {
            Substring(String(decoding: $0, as: UTF8.self))
        }
        func header(_ index: Int, _ what: String) throws(TransferListError) -> UInt64 {
            let field = index < lines.count ? lines[index].trimmingSpaces : ""
            guard let value = Self.number(field, limit: Self.maximumBlock) else {
                throw TransferListError(line: index + 1, cause: "invalid \(what) `\(field.prefix(24))`")
            }
            return value
        }
        let version = try header(0, "version")
        guard (1...4).contains(version) else { throw TransferListError(line: 1, cause: "unsupported transfer list version \(version)") }
        self.version = Int(version)
        declaredTotalBlocks = try header(1, "total block count")
        var first = 2
        if version >= 2 {
            _ = try header(2, "stash entry count")
            _ = try header(3, "stash block count")
            first = 4
        }
        var steps: [Step] = []
        var written: [(range: BlockRange, step: Int, line: Int)] = []
        var zeroed: [(step: Int, ranges: [BlockRange])] = []
        var blockCount: UInt64 = 0
        var newBlockCount: UInt64 = 0
        for index in first..<lines.count {
            let line = lines[index].trimmingSpaces
            if line.isEmpty { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            let command = String(words[0])
            guard ["erase", "new", "zero"].contains(command) else {
                if Self.incrementalCommands.contains(command) {
                    throw TransferListError(line: index + 1, cause: "incremental block OTA: it uses `\(command)`, which needs the source image")
                }
                throw TransferListError(line: index + 1, cause: "unknown transfer list command `\(command.prefix(24))`")
            }
            guard words.count == 2 else {
                throw TransferListError(line: index + 1, cause: "`\(command)` takes one range set, got \(words.count - 1) arguments")
            }
            let ranges: [BlockRange]
            do { ranges = try BlockRange.parseSet(words[1], limit: Self.maximumBlock) } catch {
                throw TransferListError(line: index + 1, cause: error.text)
            }
            for range in ranges { blockCount = max(blockCount, range.end) }
            if command == "new" {
                for range in ranges {
                    newBlockCount += range.count  // ≤ 2^32 per range; the text size bounds the range count.
                    written.append((range, steps.count, index + 1))
                }
                steps.append(.new(ranges))
            } else {
                zeroed.append((steps.count, ranges))
                steps.append(.zeros([]))
            }
        }
        self.blockCount = blockCount
        self.newBlockCount = newBlockCount
        self.steps = try Self.resolvingZeros(steps, written: written, zeroed: zeroed)
    }

    /// The most pieces of written blocks that erase/zero commands may cover again.
    static let maximumRezeroed = 1 << 20

    static let incrementalCommands: Set<String> = ["move", "bsdiff", "imgdiff", "stash", "free"]

    /// Keeps, for each erase/zero step, only the blocks an earlier `new` step wrote (the rest are
    /// holes of the empty image), and drops the steps left empty. Two `new` commands writing the
    /// same block are an error: new.dat would carry the block twice.
    private static func resolvingZeros(
        _ steps: [Step], written: [(range: BlockRange, step: Int, line: Int)], zeroed: [(step: Int, ranges: [BlockRange])]
    ) throws(TransferListError) -> [Step] {
        let sorted = written.sorted { $0.range.start < $1.range.start }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.range.start < previous.range.end {
            let line = max(previous.line, next.line)
            throw TransferListError(line: line, cause: "block \(next.range.start) is written by two `new` commands (lines \(min(previous.line, next.line)) and \(line))")
        }
        var result = steps
        // A full OTA zeroes written blocks rarely; a list that does so over and over would cost
        // memory and writes without end: at most `maximumRezeroed` pieces and as many blocks again
        // as the new data holds.
        let newBlocks = written.reduce(UInt64(0)) { $0 + $1.range.count }
        var pieces = 0
        var blocks: UInt64 = 0
        for (index, ranges) in zeroed {
            var overlaps: [BlockRange] = []
            for range in ranges {
                // The first written range that ends after `range.start` (ends ascend: ranges are disjoint).
                var low = 0
                var high = sorted.count
                while low < high {
                    let mid = (low + high) / 2
                    if sorted[mid].range.end <= range.start { low = mid + 1 } else { high = mid }
                }
                var i = low
                while i < sorted.count, sorted[i].range.start < range.end {
                    if sorted[i].step < index {
                        let piece = BlockRange(start: max(range.start, sorted[i].range.start), end: min(range.end, sorted[i].range.end))
                        pieces += 1
                        blocks += piece.count
                        guard pieces <= maximumRezeroed, blocks <= newBlocks else {
                            throw TransferListError(line: 0, cause: "the list zeroes blocks it already wrote over and over (more than \(maximumRezeroed) pieces or \(newBlocks) blocks): not a full OTA's list")
                        }
                        overlaps.append(piece)
                    }
                    i += 1
                }
            }
            result[index] = .zeros(overlaps)
        }
        return result.filter { if case .zeros(let r) = $0 { return !r.isEmpty } else { return true } }
    }

    /// A decimal number of at most 20 digits, not above `limit`.
    static func number(_ text: Substring, limit: UInt64) -> UInt64? {
        guard !text.isEmpty, text.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = UInt64(text), value <= limit
        else { return nil }
        return value
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs and carriage returns.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
