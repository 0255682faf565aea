/// One of the four table descriptors of the LP header: where the table starts (from the end of
/// the header), how many entries it has and each entry's size.
public struct LPTableDescriptor: Sendable, Hashable {
    public var offset: UInt32
    public var entryCount: UInt32
    public var entrySize: UInt32

    public init(offset: UInt32, entryCount: UInt32, entrySize: UInt32) {
        self.offset = offset
        self.entryCount = entryCount
        self.entrySize = entrySize
    }

    /// Parses the 12-byte descriptor at `at` and checks it against `tablesSize` and the size of
    /// the entry this reader knows (larger entries are read by their known prefix).
    init(_ bytes: [UInt8], at: Int, name: String, knownEntrySize: Int, tablesSize: UInt32, base: UInt64) throws(LPError) {
        offset = bytes.lpU32(at)
        entryCount = bytes.lpU32(at + 4)
        entrySize = bytes.lpU32(at + 8)
        guard entrySize >= UInt32(knownEntrySize) else {
            throw LPError(offset: base + UInt64(at + 8), cause: "LP \(name) table entry size \(entrySize) is smaller than \(knownEntrySize)")
        }
        let length = UInt64(entryCount) * UInt64(entrySize)
        guard offset <= tablesSize, length <= UInt64(tablesSize - offset) else {
            throw LPError(
                offset: base + UInt64(at),
                cause: "LP \(name) table (\(entryCount) entries of \(entrySize) bytes at \(offset)) does not fit in the \(tablesSize)-byte tables")
        }
    }

    /// Offset of entry `index` from the start of the tables.
    func entryOffset(_ index: Int) -> Int { Int(offset) + index * Int(entrySize) }
}
