/// A Git LFS pointer file (the canonical form `git lfs fsck --pointers` accepts): what a large
/// file's blob holds instead of its content.
public struct LFSPointer: Hashable, Sendable {
    /// The content's SHA-256, 64 lower-case hex digits.
    public var oid: String
    public var size: UInt64

    public init(oid: String, size: UInt64) {
        self.oid = oid
        self.size = size
    }

    /// The pointer file's bytes: version, oid, size, each on its own line, in that order.
    public var bytes: [UInt8] {
        Array("version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize \(size)\n".utf8)
    }
}

/// The `.gitattributes` that routes files through LFS, one anchored pattern per path.
public enum LFSAttributes {
    /// The file's bytes for `paths` (sorted, one line each:
    /// `/<escaped path> filter=lfs diff=lfs merge=lfs -text`).
    public static func file(for paths: [RepoPath]) -> [UInt8] {
        var out: [UInt8] = []
        for path in paths.sorted() {
            out += pattern(path)
            out += Array(" filter=lfs diff=lfs merge=lfs -text\n".utf8)
        }
        return out
    }

    /// `path` as a pattern that matches exactly it: anchored with `/`; glob characters and the
    /// backslash escaped; white space (which would end the pattern) as `[[:space:]]`, as git lfs
    /// track writes it.
    public static func pattern(_ path: RepoPath) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "/")]
        for byte in path.bytes {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: "!"), UInt8(ascii: "#"):
                out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0B, 0x0C, UInt8(ascii: "\r"):
                out += Array("[[:space:]]".utf8)
            default:
                out.append(byte)
            }
        }
        return out
    }
}
