internal import Crypto
internal import DumpCore

/// Reads LP geometry and metadata from a super image slice, falling back to the backup copies.
enum SuperMetadataReader {
    /// Where the metadata lives: a full super image, or a metadata-only `super_empty.img`.
    enum Layout {
        case superImage
        case metadataOnly
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { StreamingDigest.digest(.sha256, of: bytes) }

    /// The geometry and the layout it implies. A super image has its geometry at 4096 (backup at
    /// 8192); a metadata-only image at 0.
    static func geometry(in slice: FileSlice) throws(FirmwareError) -> (LPGeometry, Layout) {
        let primary = try area(slice, at: LPLayout.primaryGeometryOffset)
        let backup = try area(slice, at: LPLayout.backupGeometryOffset)
        guard LPGeometry.hasMagic(primary) || LPGeometry.hasMagic(backup) else {
            let start = try area(slice, at: 0)
            if LPGeometry.hasMagic(start) {
                do { return (try LPGeometry(parsing: start, at: 0, sha256: sha256), .metadataOnly) } catch {
                    throw FirmwareError(file: slice.origin, offset: error.offset, cause: error.cause)
                }
            }
            throw FirmwareError(file: slice.origin, offset: LPLayout.primaryGeometryOffset, cause: "not an LP super image: no geometry magic at 4096")
        }
        let primaryError: LPError
        do { return (try LPGeometry(parsing: primary, at: LPLayout.primaryGeometryOffset, sha256: sha256), .superImage) } catch {
            primaryError = error
        }
        do { return (try LPGeometry(parsing: backup, at: LPLayout.backupGeometryOffset, sha256: sha256), .superImage) } catch {
            throw FirmwareError(
                file: slice.origin, offset: primaryError.offset,
                cause: "both LP geometry copies are invalid: primary: \(primaryError.description); backup: \(error.description)")
        }
    }

    /// The metadata of `slot`: the primary copy, else its backup.
    static func metadata(in slice: FileSlice, geometry: LPGeometry, layout: Layout, slot: UInt32) throws(FirmwareError) -> LPMetadata {
        guard slot < geometry.metadataSlotCount else {
            throw FirmwareError(file: slice.origin, offset: LPLayout.primaryGeometryOffset + 44, cause: "LP metadata has \(geometry.metadataSlotCount) slots; slot \(slot) does not exist")
        }
        if layout == .metadataOnly {
            let bytes = try area(slice, at: LPLayout.metadataOnlyMetadataOffset, count: Int(geometry.metadataMaxSize))
            do {
                return try LPMetadata(
                    parsing: bytes, at: LPLayout.metadataOnlyMetadataOffset, geometry: geometry, requiresDataRegion: false, sha256: sha256)
            } catch { throw FirmwareError(file: slice.origin, offset: error.offset, cause: error.cause) }
        }
        let primaryOffset = LPLayout.primaryMetadataOffset(geometry, slot: slot)
        let primaryError: LPError
        do { return try parse(slice, at: primaryOffset, geometry: geometry) } catch { primaryError = error }
        do { return try parse(slice, at: LPLayout.backupMetadataOffset(geometry, slot: slot), geometry: geometry) } catch {
            throw FirmwareError(
                file: slice.origin, offset: primaryError.offset,
                cause: "both copies of LP metadata slot \(slot) are invalid: primary: \(primaryError.description); backup: \(error.description)")
        }
    }

    private static func parse(_ slice: FileSlice, at offset: UInt64, geometry: LPGeometry) throws(LPError) -> LPMetadata {
        let bytes: [UInt8]
        do { bytes = try area(slice, at: offset, count: Int(geometry.metadataMaxSize)) } catch {
            throw LPError(offset: offset, cause: error.cause)
        }
        return try LPMetadata(parsing: bytes, at: offset, geometry: geometry, sha256: sha256)
    }

    /// Up to `count` bytes at `offset` (fewer, or none, where the slice ends first).
    private static func area(_ slice: FileSlice, at offset: UInt64, count: Int = LPGeometry.areaSize) throws(FirmwareError) -> [UInt8] {
        guard offset < slice.length else { return [] }
        return try slice.bytes(at: offset, count: Int(min(UInt64(count), slice.length - offset)))
    }
}
