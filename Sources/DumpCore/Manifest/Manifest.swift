/// How git records a file: regular, executable or symbolic link.
public enum FileMode: UInt32, Sendable, Hashable, Codable {
    case regular = 0o100644
    case executable = 0o100755
    case symlink = 0o120000

    /// The mode git stores for a file with these Unix permission bits (any execute bit → executable).
    public init(permissions: UInt32) { self = permissions & 0o111 != 0 ? .executable : .regular }
}

/// One file of a dump: where it goes, how git records it, which stored object holds its bytes.
public struct ManifestEntry: Hashable, Sendable {
    public var path: RepoPath
    public var mode: FileMode
    public var id: ObjectID
    /// The content size in bytes (for a symlink, the length of its target).
    public var size: UInt64

    public init(path: RepoPath, mode: FileMode, id: ObjectID, size: UInt64) {
        self.path = path
        self.mode = mode
        self.id = id
        self.size = size
    }
}

/// The sorted list of every file of a dump: what the git tree is built from, and enough to rebuild
/// the commit without extracting the firmware again.
public struct Manifest: Sendable, Hashable {
    /// The entries, sorted by path bytes, no duplicates.
    public private(set) var entries: [ManifestEntry]

    /// Sorts `entries` and checks that no two share a path and that no file is also a directory.
    public init(_ entries: [ManifestEntry]) throws(ManifestError) {
        let sorted = entries.sorted { $0.path < $1.path }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.path == b.path {
            throw ManifestError.duplicatePath(DisplayName.of(a.path.bytes))
        }
        // git refuses a symlinked .gitmodules (fsck's gitmodulesSymlink), and so do servers that check pushes.
        if let link = sorted.first(where: {
            $0.mode == .symlink && String(decoding: $0.path.components.last ?? [], as: UTF8.self).lowercased() == ".gitmodules"
        }) {
            throw ManifestError.gitmodulesSymlink(DisplayName.of(link.path.bytes))
        }
        // "a" < "a-b" < "a/c" in byte order, so check every file against the next entries with its prefix.
        var i = 0
        while i < sorted.count {
            let prefix = sorted[i].path.bytes + [UInt8(ascii: "/")]
            var j = i + 1
            while j < sorted.count, sorted[j].path.bytes.starts(with: sorted[i].path.bytes) {
                if sorted[j].path.bytes.starts(with: prefix) { throw ManifestError.fileIsDirectory(DisplayName.of(sorted[i].path.bytes)) }
                j += 1
            }
            i += 1
        }
        self.entries = sorted
    }

    /// The total content size.
    public var totalBytes: UInt64 { entries.reduce(0) { $0 + $1.size } }

    /// The manifest as text: one `mode id size path` line per entry, the path escaped (`\\` as
    /// `\\\\`, every byte outside printable ASCII and the space as `\xNN`) so any name round-trips.
    public var text: String {
        var out = ""
        for e in entries {
            out += String(e.mode.rawValue, radix: 8) + " " + e.id.hex + " " + String(e.size) + " "
            out += Self.escape(e.path.bytes) + "\n"
        }
        return out
    }

    /// Parses `text` back.
    public init(text: String) throws(ManifestError) {
        var entries: [ManifestEntry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let rawMode = UInt32(fields[0], radix: 8), let mode = FileMode(rawValue: rawMode),
                let id = ObjectID(hex: fields[1]), let size = UInt64(fields[2]), let path = Self.unescape(fields[3])
            else { throw ManifestError.malformedLine(number + 1) }
            entries.append(ManifestEntry(path: RepoPath(bytes: path), mode: mode, id: id, size: size))
        }
        try self.init(entries)
    }

    static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x21...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + Hex.encode([b])
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while let c = chars.popFirst() {
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard let next = chars.popFirst() else { return nil }
            if next == UInt8(ascii: "\\") { out.append(next); continue }
            guard next == UInt8(ascii: "x"), chars.count >= 2,
                let byte = Hex.decode(String(decoding: chars.prefix(2), as: UTF8.self))
            else { return nil }
            out += byte
            chars = chars.dropFirst(2)
        }
        return out
    }
}

/// A manifest that git could not hold.
public enum ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    case duplicatePath(String)
    case fileIsDirectory(String)
    case malformedLine(Int)
    case gitmodulesSymlink(String)

    public var description: String {
        switch self {
        case .duplicatePath(let p): "two files claim the path \"\(p)\""
        case .fileIsDirectory(let p): "\"\(p)\" is both a file and a directory"
        case .malformedLine(let n): "manifest line \(n) is malformed"
        case .gitmodulesSymlink(let p): "\"\(p)\" is a symlink named .gitmodules, which git refuses"
        }
    }
}
