/// One metadata slot of a super image, parsed and cross-checked: header, partitions, extents,
/// groups and block devices.
public struct LPMetadata: Sendable, Hashable {
    public var geometry: LPGeometry
    public var header: LPHeader
    public var partitions: [LPPartitionEntry]
    public var extents: [LPExtent]
    public var groups: [LPGroup]
    public var blockDevices: [LPBlockDevice]

    /// Parses the slot whose bytes (at least header and tables; up to `metadataMaxSize`) start at
    /// `base` of the image. Checks both checksums, every table bound, every index and that each
    /// partition's extents lie on block device 0 inside its size. `requiresDataRegion` is false
    /// for a metadata-only image, whose block device does not follow the full super layout.
    public init(
        parsing bytes: [UInt8], at base: UInt64, geometry: LPGeometry, requiresDataRegion: Bool = true,
        sha256: ([UInt8]) -> [UInt8]
    ) throws(LPError) {
        self.geometry = geometry
        header = try LPHeader(parsing: bytes, at: base, geometry: geometry, sha256: sha256)
        let start = Int(header.headerSize)
        let tablesBase = base + UInt64(start)
        guard bytes.count - start >= Int(header.tablesSize) else {
            throw LPError(offset: tablesBase, cause: "LP metadata tables are truncated")
        }
        let tables = Array(bytes[start..<(start + Int(header.tablesSize))])
        guard sha256(tables) == header.tablesChecksum else {
            throw LPError(offset: base + 48, cause: "LP metadata tables checksum mismatch")
        }
        func entries<T>(_ table: LPTableDescriptor, _ make: ([UInt8], Int, UInt64) throws(LPError) -> T) throws(LPError) -> [T] {
            var result: [T] = []
            result.reserveCapacity(Int(table.entryCount))
            for index in 0..<Int(table.entryCount) { result.append(try make(tables, table.entryOffset(index), tablesBase)) }
            return result
        }
        partitions = try entries(header.partitions) { b, i, o throws(LPError) in try LPPartitionEntry(b, at: i, base: o) }
        extents = try entries(header.extents) { b, i, o throws(LPError) in try LPExtent(b, at: i, base: o) }
        groups = try entries(header.groups) { b, i, o throws(LPError) in try LPGroup(b, at: i, base: o) }
        blockDevices = try entries(header.blockDevices) { b, i, o throws(LPError) in try LPBlockDevice(b, at: i, base: o) }
        try check(tablesBase: tablesBase, requiresDataRegion: requiresDataRegion)
    }

    private func check(tablesBase: UInt64, requiresDataRegion: Bool) throws(LPError) {
        guard let superDevice = blockDevices.first else {
            throw LPError(offset: tablesBase, cause: "LP metadata names no block device")
        }
        if requiresDataRegion, superDevice.firstLogicalSector * LPLayout.sectorSize < LPLayout.metadataRegionEnd(geometry) {
            throw LPError(
                offset: tablesBase + UInt64(header.blockDevices.entryOffset(0)),
                cause: "LP partition data (sector \(superDevice.firstLogicalSector)) overlaps the metadata")
        }
        let deviceSectors = superDevice.size / LPLayout.sectorSize
        for (index, partition) in partitions.enumerated() {
            let entryOffset = tablesBase + UInt64(header.partitions.entryOffset(index))
            let end = UInt64(partition.firstExtentIndex) + UInt64(partition.extentCount)
            guard end <= UInt64(extents.count) else {
                throw LPError(
                    offset: entryOffset + 40,
                    cause: "LP partition \(partition.name) uses extents \(partition.firstExtentIndex)..<\(end) of \(extents.count)")
            }
            guard partition.groupIndex < UInt32(groups.count) else {
                throw LPError(offset: entryOffset + 48, cause: "LP partition \(partition.name) has invalid group index \(partition.groupIndex)")
            }
            for extentIndex in Int(partition.firstExtentIndex)..<Int(end) {
                guard case .linear(let sector, let device) = extents[extentIndex].target else { continue }
                let extentOffset = tablesBase + UInt64(header.extents.entryOffset(extentIndex))
                guard device == 0 else {
                    throw LPError(
                        offset: extentOffset + 20,
                        cause: "partition \(partition.name) lives on block device \(device); split (retrofit) supers are not supported")
                }
                let (last, overflow) = sector.addingReportingOverflow(extents[extentIndex].sectorCount)
                guard !overflow, last <= deviceSectors else {
                    throw LPError(
                        offset: extentOffset,
                        cause: "LP partition \(partition.name) has an extent (sector \(sector), \(extents[extentIndex].sectorCount) sectors) outside the \(superDevice.size)-byte block device")
                }
            }
        }
    }

    /// The extents of `partition` as pieces of the super image (offsets from its start).
    public func imageExtents(of partition: LPPartitionEntry) -> [ImageExtent] {
        let first = Int(partition.firstExtentIndex)
        return extents[first..<(first + Int(partition.extentCount))].map { extent in
            let length = extent.sectorCount * LPLayout.sectorSize
            switch extent.target {
            case .linear(let sector, _): return .data(at: sector * LPLayout.sectorSize, length: length)
            case .zero: return ImageExtent(length: length, source: .zero)
            }
        }
    }
}
