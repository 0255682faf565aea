/// Partition images that firmware keeps inside other partitions: Oplus (OPPO, realme, OnePlus)
/// "euclid" images such as `vendor/euclid/my_product.img`, and `reserve/reserve/*.img`. Their
/// trees go into a sibling directory named after the image (`vendor/euclid/my_product/`).
public enum NestedImages {
    /// The directories whose `*.img` files are such images.
    public static let directories: Set<String> = ["vendor/euclid", "system/system/euclid", "system/euclid", "reserve/reserve"]

    /// True when the file at `path` (in the dump) may be a nested partition image.
    public static func isCandidate(_ path: String) -> Bool {
        guard path.hasSuffix(".img"), let slash = path.lastIndex(of: "/") else { return false }
        let name = path[path.index(after: slash)...]
        return name.count > 4 && !name.hasPrefix(".") && directories.contains(String(path[..<slash]))
    }

    /// The directory a nested image's tree goes to: its path without `.img`.
    public static func directory(for path: String) -> String { String(path.dropLast(4)) }
}
