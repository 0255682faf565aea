#if canImport(Glibc)
internal import Glibc
#endif
public import DumpCore

/// The file that holds a partition image's bytes. A file of the work directory is deleted when
/// the last image laid out in it is released (the partitions of one super.img share one), so
/// disk space comes back as soon as each partition is read.
public final class ImageBacking: Sendable {
    /// The file's path.
    public let path: String
    /// True for a work file, deleted on release; false for the firmware itself (read in place).
    public let isWorkFile: Bool

    public init(path: String, isWorkFile: Bool) {
        self.path = path
        self.isWorkFile = isWorkFile
    }

    deinit {
        if isWorkFile { unlink(path) }
    }
}

/// A partition image found in a firmware package, ready to be read: where its bytes are (a work
/// file, or pieces of a bigger file read in place), what file system it holds, and where it came from.
public struct PartitionImage: Sendable {
    /// The partition's name (`system`, `vendor`, …): the top directory of its files in the dump.
    public var name: String
    /// The file system it holds.
    public var kind: ContentKind
    /// Where it came from, for messages (`firmware.zip:product.img`).
    public var origin: String
    /// How it was taken out, when it was not stored as a plain image (`sparse`, `payload.bin`, `super.img`).
    public var expandedFrom: String?
    /// The file holding the bytes.
    public var backing: ImageBacking
    /// The image's layout in `backing` (one extent for a whole file).
    public var extents: [ImageExtent]

    public init(name: String, kind: ContentKind, origin: String, expandedFrom: String?, backing: ImageBacking, extents: [ImageExtent]) {
        self.name = name
        self.kind = kind
        self.origin = origin
        self.expandedFrom = expandedFrom
        self.backing = backing
        self.extents = extents
    }

    /// Opens the image for reading.
    public func open() throws(FirmwareError) -> ImageFile {
        try ImageFile(path: backing.path, extents: extents, origin: origin)
    }

    /// What is kept of the image once it was handed over (no reference to its bytes).
    public var summary: UnpackedImage { UnpackedImage(name: name, kind: kind, origin: origin, expandedFrom: expandedFrom) }
}

/// A partition image that unpacking handed over, described (its bytes may be gone already).
public struct UnpackedImage: Sendable, Hashable {
    public var name: String
    public var kind: ContentKind
    public var origin: String
    /// How it was taken out (`sparse`, `payload.bin`, `super.img`), nil for a plain image.
    public var expandedFrom: String?
    /// True when the member was an Android sparse image.
    public var wasSparse: Bool { expandedFrom == "sparse" }
}
