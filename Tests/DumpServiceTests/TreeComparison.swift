import Foundation

/// One entry of a checked-out or extracted tree, as git can represent it.
struct TreeEntry: Equatable, CustomStringConvertible {
    enum Kind: Equatable { case file(executable: Bool, sha: Data), symlink(String) }
    var kind: Kind

    var description: String {
        switch kind {
        case .file(let x, let sha): "file(\(x ? "755" : "644"), \(sha.prefix(6).map { String($0, radix: 16) }.joined()))"
        case .symlink(let t): "symlink(\(t))"
        }
    }
}

/// Walks `root` (not following symlinks) into path → entry, skipping directories (git keeps none)
/// and the names in `excluding` at the top level.
func snapshot(_ root: String, excluding: Set<String> = []) throws -> [String: TreeEntry] {
    var out: [String: TreeEntry] = [:]
    let fm = FileManager.default
    func walk(_ relative: String) throws {
        let dir = relative.isEmpty ? root : root + "/" + relative
        for name in try fm.contentsOfDirectory(atPath: dir) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            if relative.isEmpty && excluding.contains(name) { continue }
            let full = root + "/" + rel
            let attributes = try fm.attributesOfItem(atPath: full)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?: try walk(rel)
            case .typeSymbolicLink?: out[rel] = TreeEntry(kind: .symlink(try fm.destinationOfSymbolicLink(atPath: full)))
            case .typeRegular?:
                let permissions = (attributes[.posixPermissions] as? Int) ?? 0
                let data = try Data(contentsOf: URL(fileURLWithPath: full))
                out[rel] = TreeEntry(kind: .file(executable: permissions & 0o111 != 0, sha: sha(data)))
            default: break
            }
        }
    }
    try walk("")
    return out
}

/// A cheap content fingerprint for comparisons (not security-relevant): FNV-1a 64 plus the length.
func sha(_ data: Data) -> Data {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return withUnsafeBytes(of: hash.bigEndian) { Data($0) } + withUnsafeBytes(of: UInt64(data.count).bigEndian) { Data($0) }
}
