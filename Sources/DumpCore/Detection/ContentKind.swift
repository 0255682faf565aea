/// What a firmware member is, told by its first bytes (never by its name).
public enum ContentKind: Sendable, Hashable, CustomStringConvertible {
    /// An Android sparse image (magic 0xED26FF3A at 0).
    case androidSparse
    /// An ext2/3/4 file system (magic 0xEF53 at 1080).
    case ext4
    /// An EROFS file system (magic 0xE0F5E1E2 at 1024).
    case erofs
    /// A super image of dynamic partitions (LP geometry magic 0x616C4467 at 4096).
    case superImage
    /// An A/B OTA payload (`CrAU` at 0).
    case payload
    /// A zip archive (`PK\3\4` at 0).
    case zip
    /// A tar archive (`ustar` at 257), Samsung's `.tar.md5` included.
    case tar
    /// A 7z archive.
    case sevenZip
    /// A compressed stream around something else (`.gz`, `.xz`, `.lz4`, `.bz2`, `.zst`).
    case compressed(Compression)
    /// Anything else: kept as a plain file.
    case other

    /// The compressed-stream formats recognised by their magic.
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case gzip, xz, lz4, bzip2, zstd

        /// The file-name suffix these streams usually carry.
        public var suffix: String {
            switch self {
            case .gzip: ".gz"
            case .xz: ".xz"
            case .lz4: ".lz4"
            case .bzip2: ".bz2"
            case .zstd: ".zst"
            }
        }
    }

    /// How many leading bytes `detect` needs to tell every kind apart.
    public static let headerSize = 8192

    /// Tells the kind from a member's first bytes (up to `headerSize`; fewer when the member is shorter).
    public static func detect(_ header: some RandomAccessCollection<UInt8>) -> ContentKind {
        let bytes = Array(header.prefix(headerSize))
        if le32(bytes, 0) == 0xED26_FF3A { return .androidSparse }
        if le32(bytes, 1024) == 0xE0F5_E1E2 { return .erofs }
        if le16(bytes, 1080) == 0xEF53 { return .ext4 }
        if le32(bytes, 4096) == 0x616C_4467 { return .superImage }
        if bytes.starts(with: Array("CrAU".utf8)) { return .payload }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) { return .tar }
        if bytes.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZip }
        if bytes.starts(with: [0x1F, 0x8B, 0x08]) { return .compressed(.gzip) }
        if bytes.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .compressed(.xz) }
        if bytes.starts(with: [0x04, 0x22, 0x4D, 0x18]) { return .compressed(.lz4) }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .compressed(.zstd) }
        if bytes.count >= 10, bytes.starts(with: Array("BZh".utf8)), (0x31...0x39).contains(bytes[3]),
            bytes[4...9].elementsEqual([0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
        {
            return .compressed(.bzip2)
        }
        return .other
    }

    /// True for file systems whose tree becomes part of the dump.
    public var isFileSystem: Bool { self == .ext4 || self == .erofs }

    /// True for archives whose members are unpacked in turn.
    public var isArchive: Bool { self == .zip || self == .tar || self == .sevenZip }

    public var description: String {
        switch self {
        case .androidSparse: "Android sparse image"
        case .ext4: "ext4 file system"
        case .erofs: "EROFS file system"
        case .superImage: "super image"
        case .payload: "OTA payload"
        case .zip: "zip archive"
        case .tar: "tar archive"
        case .sevenZip: "7z archive"
        case .compressed(let format): "\(format.rawValue) stream"
        case .other: "file"
        }
    }

    private static func le32(_ b: [UInt8], _ at: Int) -> UInt32? {
        guard b.count >= at + 4 else { return nil }
        return UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    private static func le16(_ b: [UInt8], _ at: Int) -> UInt16? {
        guard b.count >= at + 2 else { return nil }
        return UInt16(b[at]) | UInt16(b[at + 1]) << 8
    }
}
