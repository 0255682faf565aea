/// A partition entry (52 bytes): name[36], attributes @36, first_extent_index @40,
/// num_extents @44, group_index @48.
public struct LPPartitionEntry: Sendable, Hashable {
    static let size = 52
    /// Attribute bits known up to v10.2: readonly 1, slot-suffixed 2, updated 4, disabled 8.
    static let knownAttributes: UInt32 = 0xF

    /// The name as stored (with its `_a`/`_b` suffix, if any).
    public var name: String
    public var attributes: UInt32
    public var firstExtentIndex: UInt32
    public var extentCount: UInt32
    public var groupIndex: UInt32

    init(_ b: [UInt8], at i: Int, base: UInt64) throws(LPError) {
        guard let name = LPName.parse(b, at: i), !name.isEmpty else {
            throw LPError(offset: base + UInt64(i), cause: "LP partition name is not NUL-terminated printable ASCII")
        }
        self.name = name
        attributes = b.lpU32(i + 36)
        firstExtentIndex = b.lpU32(i + 40)
        extentCount = b.lpU32(i + 44)
        groupIndex = b.lpU32(i + 48)
        guard attributes & ~Self.knownAttributes == 0 else {
            throw LPError(offset: base + UInt64(i + 36), cause: "LP partition \(name) has unknown attributes 0x\(String(attributes, radix: 16))")
        }
    }
}

/// An extent (24 bytes): num_sectors @0, target_type @8 (0 linear, 1 zero), target_data @12
/// (first physical sector), target_source @20 (block device index).
public struct LPExtent: Sendable, Hashable {
    static let size = 24

    public enum Target: Sendable, Hashable {
        /// Sectors of a block device: `sector` on device `device`.
        case linear(sector: UInt64, device: UInt32)
        /// Zeros.
        case zero
    }

    public var sectorCount: UInt64
    public var target: Target

    init(_ b: [UInt8], at i: Int, base: UInt64) throws(LPError) {
        sectorCount = b.lpU64(i)
        switch b.lpU32(i + 8) {
        case 0: target = .linear(sector: b.lpU64(i + 12), device: b.lpU32(i + 20))
        case 1: target = .zero
        case let other: throw LPError(offset: base + UInt64(i + 8), cause: "LP extent has unknown target type \(other)")
        }
        guard sectorCount <= UInt64.max / LPLayout.sectorSize else {
            throw LPError(offset: base + UInt64(i), cause: "LP extent sector count \(sectorCount) overflows")
        }
    }
}

/// A partition group (48 bytes): name[36], flags @36, maximum_size @40.
public struct LPGroup: Sendable, Hashable {
    static let size = 48

    public var name: String
    public var flags: UInt32
    public var maximumSize: UInt64

    init(_ b: [UInt8], at i: Int, base: UInt64) throws(LPError) {
        guard let name = LPName.parse(b, at: i) else {
            throw LPError(offset: base + UInt64(i), cause: "LP group name is not NUL-terminated printable ASCII")
        }
        self.name = name
        flags = b.lpU32(i + 36)
        maximumSize = b.lpU64(i + 40)
    }
}

/// A block device (64 bytes): first_logical_sector @0, alignment @8, alignment_offset @12,
/// size @16, partition_name[36] @24, flags @60.
public struct LPBlockDevice: Sendable, Hashable {
    static let size = 64

    public var firstLogicalSector: UInt64
    public var alignment: UInt32
    public var alignmentOffset: UInt32
    /// The device size in bytes.
    public var size: UInt64
    public var partitionName: String
    public var flags: UInt32

    init(_ b: [UInt8], at i: Int, base: UInt64) throws(LPError) {
        guard let name = LPName.parse(b, at: i + 24) else {
            throw LPError(offset: base + UInt64(i + 24), cause: "LP block device name is not NUL-terminated printable ASCII")
        }
        partitionName = name
        firstLogicalSector = b.lpU64(i)
        alignment = b.lpU32(i + 8)
        alignmentOffset = b.lpU32(i + 12)
        size = b.lpU64(i + 16)
        flags = b.lpU32(i + 60)
        guard firstLogicalSector <= UInt64.max / LPLayout.sectorSize else {
            throw LPError(offset: base + UInt64(i), cause: "LP block device first logical sector \(firstLogicalSector) overflows")
        }
    }
}
