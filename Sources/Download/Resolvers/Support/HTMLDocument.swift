/// The tags of an HTML page with their attributes, found in one linear pass: enough to pick
/// a link or a form out of a download page, not a full HTML parser. Comments are skipped, and so
/// are the contents of `<script>` and `<style>`. At most `maxTags` tags are kept: a real download
/// page has a few thousand, a hostile one cannot make the scan cost more than that.
struct HTMLDocument {
    static let maxTags = 100_000

    /// One start tag, or an end tag (its name starts with "/", and it has no attributes).
    struct Tag {
        /// Lower-cased element name.
        var name: String
        /// Lower-cased attribute names; values with character references decoded.
        var attributes: [String: String]
        /// Byte offset just past the tag's `>`.
        var end: Int

        subscript(_ attribute: String) -> String? { attributes[attribute] }

        /// True when the `class` attribute lists `name`.
        func hasClass(_ name: String) -> Bool {
            (attributes["class"] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains { $0 == name }
        }
    }

    let bytes: [UInt8]
    private(set) var tags: [Tag] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var i = 0
        while tags.count < Self.maxTags, let open = Self.find(UInt8(ascii: "<"), in: bytes, from: i) {
            i = open + 1
            if Self.starts(with: "!--", in: bytes, at: i) {
                i = Self.find("-->", in: bytes, from: i + 3).map { $0 + 3 } ?? bytes.count
                continue
            }
            if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "/"), Self.isNameByte(bytes[i + 1]) {
                // An end tag: kept by name ("/form") so a caller can tell where an element ends.
                let (tag, next) = Self.readTag(bytes, at: i + 1)
                tags.append(Tag(name: "/" + tag.name, attributes: [:], end: next))
                i = next
                continue
            }
            guard i < bytes.count, Self.isNameByte(bytes[i]) else { continue }
            let (tag, next) = Self.readTag(bytes, at: i)
            tags.append(tag)
            i = next
            if tag.name == "script" || tag.name == "style" {
                i = Self.findCaseless("</" + tag.name, in: bytes, from: i) ?? bytes.count
            }
        }
    }

    /// The start tags named `name`, in page order.
    func tags(named name: String) -> [Tag] { tags.filter { $0.name == name } }

    /// The text right after `tag` up to the next tag, references decoded, white space collapsed.
    func text(after tag: Tag) -> String {
        let end = Self.find(UInt8(ascii: "<"), in: bytes, from: tag.end) ?? bytes.count
        let raw = String(decoding: bytes[tag.end..<min(end, tag.end + 4096)], as: UTF8.self)
        return HTMLEntities.decode(raw).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The `<title>` text, if any.
    var title: String? { tags(named: "title").first.map { text(after: $0) } }

    // MARK: - Scanning

    private static func readTag(_ bytes: [UInt8], at start: Int) -> (Tag, Int) {
        var i = start
        while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
        let name = String(decoding: bytes[start..<i], as: UTF8.self).lowercased()
        var attributes: [String: String] = [:]
        while i < bytes.count {
            while i < bytes.count, isSpace(bytes[i]) || bytes[i] == UInt8(ascii: "/") { i += 1 }
            guard i < bytes.count, bytes[i] != UInt8(ascii: ">") else { break }
            let nameStart = i
            while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ">"),
                !(bytes[i] == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ">"))
            {
                i += 1
            }
            let attribute = String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased()
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            var value = ""
            if i < bytes.count, bytes[i] == UInt8(ascii: "=") {
                i += 1
                while i < bytes.count, isSpace(bytes[i]) { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                    let quote = bytes[i]
                    let close = find(quote, in: bytes, from: i + 1) ?? bytes.count
                    value = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
                    i = min(close + 1, bytes.count)
                } else {
                    let valueStart = i
                    while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">") { i += 1 }
                    value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
                }
            }
            if !attribute.isEmpty, attributes[attribute] == nil { attributes[attribute] = HTMLEntities.decode(value) }
        }
        let end = min(i + 1, bytes.count)
        return (Tag(name: name, attributes: attributes, end: end), end)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-")
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d || b == 0x0c }

    private static func find(_ byte: UInt8, in bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes[start...].firstIndex(of: byte)
    }

    private static func starts(with text: String, in bytes: [UInt8], at start: Int) -> Bool {
        let needle = Array(text.utf8)
        return start + needle.count <= bytes.count && Array(bytes[start..<(start + needle.count)]) == needle
    }

    private static func find(_ text: String, in bytes: [UInt8], from start: Int) -> Int? {
        findCaseless(text, in: bytes, from: start)
    }

    /// The offset of `text` (ASCII, matched without regard to case) at or after `start`.
    private static func findCaseless(_ text: String, in bytes: [UInt8], from start: Int) -> Int? {
        let needle = Array(text.lowercased().utf8)
        guard let first = needle.first else { return start }
        var i = start
        while i + needle.count <= bytes.count {
            guard let hit = bytes[i...(bytes.count - needle.count)].firstIndex(where: { lower($0) == first }) else { return nil }
            var matched = true
            for k in 1..<needle.count where lower(bytes[hit + k]) != needle[k] {
                matched = false
                break
            }
            if matched { return hit }
            i = hit + 1
        }
        return nil
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5a ? b + 32 : b }
}
