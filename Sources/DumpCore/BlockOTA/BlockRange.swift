/// A half-open range `[start, end)` of 4096-byte blocks, as block OTA range sets list them.
public struct BlockRange: Sendable, Hashable {
    public var start: UInt64
    public var end: UInt64

    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }

    /// The number of blocks.
    public var count: UInt64 { end - start }

    /// Parses a range set `N,a1,b1,a2,b2,…`: N is the count of numbers after it (even, at least
    /// 2), each pair is a non-empty range, block numbers are at most `limit`. Pairs need not be
    /// in order.
    static func parseSet(_ text: Substring, limit: UInt64) throws(TransferListCause) -> [BlockRange] {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        var numbers: [UInt64] = []
        numbers.reserveCapacity(fields.count)
        for field in fields {
            guard let number = TransferList.number(field, limit: limit) else {
                throw TransferListCause("range set `\(text.prefix(40))` has an invalid block number `\(field.prefix(24))`")
            }
            numbers.append(number)
        }
        let count = numbers.count - 1
        guard numbers[0] == UInt64(count) else {
            throw TransferListCause("range set `\(text.prefix(40))` declares \(numbers[0]) numbers but has \(count)")
        }
        guard count >= 2, count % 2 == 0 else {
            throw TransferListCause("range set `\(text.prefix(40))` has an odd or empty count of numbers (\(count)); it needs pairs")
        }
        var ranges: [BlockRange] = []
        ranges.reserveCapacity(count / 2)
        for pair in stride(from: 1, to: numbers.count, by: 2) {
            guard numbers[pair] < numbers[pair + 1] else {
                throw TransferListCause("range set `\(text.prefix(40))` has an empty or reversed range \(numbers[pair])-\(numbers[pair + 1])")
            }
            ranges.append(BlockRange(start: numbers[pair], end: numbers[pair + 1]))
        }
        return ranges
    }
}

/// A cause without its line number yet; `TransferList` adds it.
struct TransferListCause: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
