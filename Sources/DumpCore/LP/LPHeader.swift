/// The LP metadata header at the start of every metadata slot: version, checksums and the four
/// table descriptors. 128 bytes for v10.0/10.1, 256 bytes (with flags) for v10.2.
///
/// Layout (little-endian): magic 0x414C5030 @0, major @4, minor @6, header_size @8, header SHA-256
/// (over header_size bytes with this field zeroed) @12, tables_size @44, tables SHA-256 @48,
/// descriptors for partitions @80, extents @92, groups @104, block devices @116; v10.2: flags @128.
public struct LPHeader: Sendable, Hashable {
    public static let magic: UInt32 = 0x414C_5030
    public static let majorVersion: UInt16 = 10
    public static let maximumMinorVersion: UInt16 = 2
    /// The v10.0/10.1 header size.
    public static let minimumSize = 128
    /// The v10.2 header size.
    public static let expandedSize = 256
    /// Header flag: the device uses Virtual A/B.
    public static let virtualABFlag: UInt32 = 1

    public var minorVersion: UInt16
    public var headerSize: UInt32
    public var tablesSize: UInt32
    public var tablesChecksum: [UInt8]
    public var partitions: LPTableDescriptor
    public var extents: LPTableDescriptor
    public var groups: LPTableDescriptor
    public var blockDevices: LPTableDescriptor
    /// v10.2 flags (0 for older headers).
    public var flags: UInt32

    /// True for a Virtual A/B device (v10.2 flag bit 0).
    public var isVirtualAB: Bool { flags & Self.virtualABFlag != 0 }

    /// Parses and checks the header at the start of `bytes` (a slot's contents, read from `base`
    /// of the image).
    public init(parsing bytes: [UInt8], at base: UInt64, geometry: LPGeometry, sha256: ([UInt8]) -> [UInt8]) throws(LPError) {
        func fail(_ field: Int, _ cause: String) -> LPError { LPError(offset: base + UInt64(field), cause: cause) }
        guard bytes.count >= Self.minimumSize else { throw fail(0, "LP metadata header is truncated") }
        guard bytes.lpU32(0) == Self.magic else { throw fail(0, "invalid LP metadata header magic") }
        let major = bytes.lpU16(4)
        minorVersion = bytes.lpU16(6)
        guard major == Self.majorVersion, minorVersion <= Self.maximumMinorVersion else {
            throw fail(4, "unsupported LP metadata version \(major).\(minorVersion)")
        }
        headerSize = bytes.lpU32(8)
        let expected = minorVersion >= 2 ? Self.expandedSize : Self.minimumSize
        guard headerSize >= UInt32(expected), headerSize <= geometry.metadataMaxSize else {
            throw fail(8, "invalid LP metadata header size \(headerSize) for version 10.\(minorVersion)")
        }
        guard Int(headerSize) <= bytes.count else { throw fail(0, "LP metadata header is truncated") }
        let header = Array(bytes[0..<Int(headerSize)])
        guard sha256(header.zeroing(12..<44)) == Array(bytes[12..<44]) else {
            throw fail(12, "LP metadata header checksum mismatch")
        }
        tablesSize = bytes.lpU32(44)
        guard UInt64(tablesSize) <= UInt64(geometry.metadataMaxSize - headerSize) else {
            throw fail(44, "LP tables size \(tablesSize) exceeds the metadata max size \(geometry.metadataMaxSize)")
        }
        tablesChecksum = Array(bytes[48..<80])
        partitions = try LPTableDescriptor(bytes, at: 80, name: "partition", knownEntrySize: LPPartitionEntry.size, tablesSize: tablesSize, base: base)
        extents = try LPTableDescriptor(bytes, at: 92, name: "extent", knownEntrySize: LPExtent.size, tablesSize: tablesSize, base: base)
        groups = try LPTableDescriptor(bytes, at: 104, name: "group", knownEntrySize: LPGroup.size, tablesSize: tablesSize, base: base)
        blockDevices = try LPTableDescriptor(
            bytes, at: 116, name: "block device", knownEntrySize: LPBlockDevice.size, tablesSize: tablesSize, base: base)
        flags = minorVersion >= 2 ? bytes.lpU32(128) : 0
    }
}
