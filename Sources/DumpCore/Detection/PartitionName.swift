/// Partition names from firmware member names.
public enum PartitionName {
    /// The partition a member image holds, from its file name: the last path component without an
    /// image suffix (`system.img` → `system`, `vendor.img.ext4` → `vendor`). Nil when nothing usable remains.
    public static func from(memberPath: RepoPath) -> String? {
        guard let last = memberPath.components.last else { return nil }
        var name = String(decoding: last, as: UTF8.self)
        for suffix in [".ext4", ".img", ".raw", ".bin", ".image"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "_-.".unicodeScalars.contains($0)) }
        guard !name.isEmpty, allowed, !name.hasPrefix("."), name != ".." else { return nil }
        return name
    }
}
