/// Partition names from firmware member names.
public enum PartitionName {
    /// What a member's file name says about the partition it holds.
    public struct Parsed: Sendable, Hashable {
        /// The partition (`system`), aliases resolved (`NON-HLOS` → `modem`, `boot-verified` → `boot`).
        public var name: String
        /// The A/B slot (`a` or `b`) when the name carried a slot suffix (`system_a.img`).
        public var slot: Character?
    }

    /// File-name endings that say "image" rather than name the partition, stripped in any order
    /// (`system.img.ext4`, `system_image.emmc.img`, `modem.mbn`, `system.raw.img`).
    static let imageSuffixes = [".img", ".ext4", ".raw", ".bin", ".image", ".mbn", "_image.emmc", ".emmc"]

    /// Vendor names for the standard partitions.
    static let aliases: [String: String] = [
        "NON-HLOS": "modem", "boot-verified": "boot", "dtbo-verified": "dtbo", "recovery-verified": "recovery",
        "system_new": "system", "vendor_new": "vendor",
    ]

    /// The partition a member image holds, from its file name: the last path component without
    /// image suffixes, aliases resolved, the slot suffix split off. Nil when nothing usable remains.
    public static func parse(memberPath: RepoPath) -> Parsed? {
        guard let last = memberPath.components.last else { return nil }
        return parse(fileName: String(decoding: last, as: UTF8.self))
    }

    /// `parse(memberPath:)` for a bare file name.
    public static func parse(fileName: String) -> Parsed? {
        var name = fileName
        var stripped = true
        while stripped {
            stripped = false
            for suffix in imageSuffixes where name.count > suffix.count && name.hasSuffix(suffix) {
                name.removeLast(suffix.count)
                stripped = true
            }
        }
        name = aliases[name] ?? name
        var slot: Character?
        if name.count > 2, name.hasSuffix("_a") || name.hasSuffix("_b") {
            slot = name.last
            name.removeLast(2)
        }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "_-.".unicodeScalars.contains($0)) }
        guard !name.isEmpty, allowed, !name.hasPrefix("."), name != ".." else { return nil }
        return Parsed(name: name, slot: slot)
    }

    /// The partition name alone (see `parse`).
    public static func from(memberPath: RepoPath) -> String? { parse(memberPath: memberPath)?.name }

    /// The file system partitions whose trees go into a dump: the existing system's list
    /// (dumpyara's file system partitions and the alternative extractor's, Oplus `my_*` included).
    /// Images of other partitions (`cache`, `userdata`, `persist`, …) are not dumped.
    public static let dumpedFileSystems: Set<String> = [
        "system", "systemex", "system_ext", "system_other", "system_dlkm", "vendor", "vendor_dlkm", "odm", "odm_ext",
        "odm_dlkm", "oem", "product", "product_h", "cust", "factory", "india", "mi_ext", "modem", "radio", "xrom",
        "oppo_product", "opproduct", "reserve", "preas", "preavs", "preload", "preload_common", "special_preload",
    ]

    /// True when `name`'s tree belongs in the dump (the list above, and every Oplus `my_*` partition).
    public static func isDumped(_ name: String) -> Bool {
        dumpedFileSystems.contains(name) || (name.hasPrefix("my_") && name.count > 3)
    }
}
