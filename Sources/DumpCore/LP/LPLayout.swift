/// Where the LP structures sit in a super image: 4096 reserved bytes, the primary and backup
/// geometry, every primary metadata slot, then every backup slot; partition data follows.
public enum LPLayout {
    /// Bytes reserved at the start of the device.
    public static let reservedBytes: UInt64 = 4096
    /// Offset of the primary geometry.
    public static let primaryGeometryOffset: UInt64 = 4096
    /// Offset of the backup geometry.
    public static let backupGeometryOffset: UInt64 = 8192
    /// The sector size LP counts in.
    public static let sectorSize: UInt64 = 512

    /// Offset of the primary copy of metadata `slot`.
    public static func primaryMetadataOffset(_ geometry: LPGeometry, slot: UInt32) -> UInt64 {
        reservedBytes + 2 * UInt64(LPGeometry.areaSize) + UInt64(geometry.metadataMaxSize) * UInt64(slot)
    }

    /// Offset of the backup copy of metadata `slot` (after all primary slots).
    public static func backupMetadataOffset(_ geometry: LPGeometry, slot: UInt32) -> UInt64 {
        primaryMetadataOffset(geometry, slot: geometry.metadataSlotCount) + UInt64(geometry.metadataMaxSize) * UInt64(slot)
    }

    /// The end of the metadata region (all geometry and slot copies).
    public static func metadataRegionEnd(_ geometry: LPGeometry) -> UInt64 {
        backupMetadataOffset(geometry, slot: geometry.metadataSlotCount)
    }

    /// In a metadata-only image (`super_empty.img`, as lpmake writes it) the geometry is at 0 and
    /// the single metadata copy right after it.
    public static let metadataOnlyMetadataOffset: UInt64 = 4096
}
