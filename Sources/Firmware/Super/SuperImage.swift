internal import DumpCore

/// A super image (Android dynamic partitions): LP metadata describing logical partitions laid out
/// in extents of one block device. Only reads metadata; the caller copies the extents.
public enum SuperImage {
    /// Reads the LP metadata of the super image in `slice` (slot 0 by default) and returns its
    /// non-empty partitions in table order, names without slot suffix.
    ///
    /// Uses the backup geometry or metadata copy when the primary one is corrupt. Partitions with
    /// no extents (the empty `_b` of an A/B super) are left out, so a metadata-only image
    /// (`super_empty.img`, geometry at offset 0) or a super whose partitions are all empty yields
    /// `[]`: "metadata only, nothing to extract". Every extent is checked to lie inside `slice`.
    public static func partitions(in slice: FileSlice, slot: Int = 0) throws(FirmwareError) -> [LogicalPartition] {
        guard slot >= 0, slot <= Int(UInt32.max) else {
            throw FirmwareError(file: slice.origin, cause: "invalid LP metadata slot \(slot)")
        }
        let (geometry, layout) = try SuperMetadataReader.geometry(in: slice)
        let metadata = try SuperMetadataReader.metadata(in: slice, geometry: geometry, layout: layout, slot: UInt32(slot))
        guard layout == .superImage else { return [] }
        let named: [LPMetadata.NamedPartition]
        do { named = try metadata.dataPartitions(slot: UInt32(slot)) } catch {
            throw FirmwareError(file: slice.origin, offset: error.offset, cause: error.cause)
        }
        return try named.map { partition throws(FirmwareError) in
            let extents = metadata.imageExtents(of: partition.entry)
            var size: UInt64 = 0
            for extent in extents {
                size += extent.length  // Bounded by the block device size, checked when parsing.
                guard case .data(let offset) = extent.source else { continue }
                guard offset + extent.length <= slice.length else {
                    throw FirmwareError(
                        file: slice.origin, offset: offset,
                        cause: "partition \(partition.name): its \(extent.length)-byte extent at offset \(offset) runs past the end of the super image (\(slice.length) bytes)")
                }
            }
            return LogicalPartition(name: partition.name, size: size, extents: extents)
        }
    }

    /// True when `header` (the first bytes of a member, at least 4100) looks like a raw super
    /// image (geometry magic at 4096).
    public static func looksLikeSuper(_ header: some RandomAccessCollection<UInt8>) -> Bool {
        guard header.count >= 4100 else { return false }
        return LPGeometry.hasMagic(header.dropFirst(4096))
    }
}
