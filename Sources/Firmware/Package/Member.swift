internal import DumpCore

/// A member's bytes stored uncompressed in a file, readable in place, with what keeps that file
/// alive (a spilled work file is deleted with its last user).
struct StoredBytes {
    var slice: FileSlice
    var backing: ImageBacking

    /// The stored bytes as the extents of an image.
    var extents: [ImageExtent] { [.data(at: slice.offset, length: slice.length)] }
}

/// One regular member on its way through the unpacker.
struct Member {
    /// Its path in its archive: where it goes in the dump when kept as a plain file.
    var path: RepoPath
    var mode: FileMode
    /// Its size when known before reading (nil for a decoded stream).
    var size: UInt64?
    /// Its name in messages (`firmware.zip:images/system.img`).
    var origin: String
    /// Its bytes in place, when stored uncompressed: asked for only when the member is to be read
    /// in place (the call checks the member's CRC-32 first, a pass over its bytes).
    var inPlace: (() throws -> StoredBytes?)?
    /// Its bytes from the start.
    var source: any ByteSource

    init(path: RepoPath, mode: FileMode, size: UInt64?, origin: String, inPlace: (() throws -> StoredBytes?)? = nil, source: any ByteSource) {
        self.path = path
        self.mode = mode
        self.size = size
        self.origin = origin
        self.inPlace = inPlace
        self.source = source
    }

    /// The last path component.
    var fileName: String { String(decoding: path.components.last ?? [], as: UTF8.self) }
}

/// How deep a member sits in nested archives, and where its files move when their names are
/// already taken by an earlier archive's.
struct Level {
    var depth: Int
    /// The nested archive's name without extensions (`HOME_CSC_OXM…` of `HOME_CSC_OXM….tar.md5`); nil at the top.
    var archiveStem: String?

    static let top = Level(depth: 0, archiveStem: nil)

    /// The level of the members of the archive `name` found at this level.
    func inside(_ name: String) -> Level {
        var stem = name
        for suffix in [".md5", ".tar", ".tgz", ".gz", ".xz", ".zip", ".7z"] where stem.hasSuffix(suffix) && stem.count > suffix.count {
            stem.removeLast(suffix.count)
        }
        let safe = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) ? $0 : "_" })
        return Level(depth: depth + 1, archiveStem: safe.hasPrefix(".") ? "_" + safe : safe)
    }
}
