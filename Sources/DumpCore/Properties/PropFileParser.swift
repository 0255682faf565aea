/// Reads Android property files (`build.prop`, `default.prop`, `local.prop`) the way init does.
public enum PropFileParser {
    /// The properties assigned in `bytes`, keys and values trimmed of surrounding whitespace.
    ///
    /// A repeated key keeps its last assignment, as Android's init does; an empty value is kept (and
    /// so hides an earlier one). Lines end at `\n` or `\r` (so LF, CRLF and CR files all work); blank
    /// lines, `#` comments, `import` lines and lines without `=` are skipped; the key ends at the first
    /// `=`. Bytes that are not UTF-8 decode to U+FFFD and spoil only their own line. A leading UTF-8
    /// byte order mark is ignored.
    public static func parse(_ bytes: [UInt8]) -> [String: String] {
        var properties: [String: String] = [:]
        let body = bytes.starts(with: byteOrderMark) ? bytes.dropFirst(byteOrderMark.count) : bytes[...]
        for line in body.split(whereSeparator: { $0 == newline || $0 == carriageReturn }) {
            if let assignment = assignment(in: line) {
                properties[assignment.key] = assignment.value
            }
        }
        return properties
    }

    /// The key and value of one line, or nil when the line assigns nothing.
    private static func assignment(in line: ArraySlice<UInt8>) -> (key: String, value: String)? {
        let text = trimmed(line)
        guard let first = text.first, first != hash, !isImport(text) else { return nil }
        guard let equals = text.firstIndex(of: equalsSign) else { return nil }
        let key = trimmed(text[..<equals])
        guard !key.isEmpty else { return nil }
        let value = trimmed(text[text.index(after: equals)...])
        return (String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// True for init's `import <path>` directive.
    private static func isImport(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.starts(with: importKeyword) else { return false }
        let rest = text.dropFirst(importKeyword.count)
        return rest.first.map(isWhitespace) ?? true
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let start = bytes.firstIndex(where: { !isWhitespace($0) }),
            let end = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return [] }
        return bytes[start...end]
    }

    /// Space, tab, vertical tab, form feed, CR and LF.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let hash = UInt8(ascii: "#")
    private static let equalsSign = UInt8(ascii: "=")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let importKeyword = Array("import".utf8)
}
