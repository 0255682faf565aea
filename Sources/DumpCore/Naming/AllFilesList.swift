/// The dump's `all_files.txt`: every path of the listing, one per line, in byte order.
public enum AllFilesList {
    /// The file's bytes. A name holding a newline or another control character is written escaped
    /// (as messages show it), so it cannot fake extra lines.
    public static func render(_ listing: Manifest) -> [UInt8] {
        var out: [UInt8] = []
        for entry in listing.entries {
            let raw = entry.path.bytes
            out += raw.contains(where: { $0 < 0x20 || $0 == 0x7F }) ? Array(DisplayName.of(raw).utf8) : raw
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
