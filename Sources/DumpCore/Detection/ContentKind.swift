/// What a firmware member is, told by its first bytes (never by its name).
public enum ContentKind: Sendable, Hashable, CustomStringConvertible {
    /// An Android sparse image (magic 0xED26FF3A at 0).
    case androidSparse
    /// An ext2/3/4 file system (magic 0xEF53 at 1080).
    case ext4
    /// An EROFS file system (magic 0xE0F5E1E2 at 1024).
    case erofs
    /// A zip archive (`PK\3\4` at 0).
    case zip
    /// Anything else: kept as a plain file.
    case other

    /// How many leading bytes `detect` needs to tell every kind apart.
    public static let headerSize = 2048

    /// Tells the kind from a member's first bytes (up to `headerSize`; fewer when the member is shorter).
    public static func detect(_ header: some RandomAccessCollection<UInt8>) -> ContentKind {
        let bytes = Array(header.prefix(headerSize))
        if le32(bytes, 0) == 0xED26_FF3A { return .androidSparse }
        if le32(bytes, 1024) == 0xE0F5_E1E2 { return .erofs }
        if le16(bytes, 1080) == 0xEF53 { return .ext4 }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        return .other
    }

    /// True for file systems whose tree becomes part of the dump.
    public var isFileSystem: Bool { self == .ext4 || self == .erofs }

    public var description: String {
        switch self {
        case .androidSparse: "Android sparse image"
        case .ext4: "ext4 file system"
        case .erofs: "EROFS file system"
        case .zip: "zip archive"
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
