/// Turns arbitrary text (a build description) into a valid, usable git branch name.
enum BranchNameSanitizer {
    /// Longest name produced, in UTF-8 bytes: git stores a branch as a file `<name>` and locks it as
    /// `<name>.lock`, which must fit the usual 255-byte file name limit.
    static let maximumUTF8Length = 240

    /// `raw` with spaces and `/` turned into `-`; controls, other non-printables and the characters git
    /// forbids dropped; `..` collapsed to `.`; `@{` reduced to `@`; leading `-` and `.` and trailing `.`
    /// and `.lock` removed; cut to `maximumUTF8Length`. Nil when nothing usable is left (also for
    /// `HEAD` and `@`).
    static func sanitized(_ raw: String) -> String? {
        var scalars: [Unicode.Scalar] = []
        for scalar in raw.unicodeScalars {
            let mapped: Unicode.Scalar = (scalar == " " || scalar == "/") ? "-" : scalar
            guard PrintableScalars.contains(mapped), !GitBranchRules.isForbidden(mapped) else { continue }
            if mapped == ".", scalars.last == "." { continue }
            if mapped == "{", scalars.last == "@" { continue }
            scalars.append(mapped)
        }
        while let first = scalars.first, first == "-" || first == "." {
            scalars.removeFirst()
        }
        var name = truncated(String(String.UnicodeScalarView(scalars)))
        while true {
            if name.hasSuffix(".") {
                name.removeLast()
            } else if name.hasSuffix(".lock") {
                name.removeLast(".lock".count)
            } else {
                break
            }
        }
        guard name != "@", GitBranchRules.isValid(name) else { return nil }
        return name
    }

    /// The longest prefix of whole characters within `maximumUTF8Length` bytes.
    private static func truncated(_ name: String) -> String {
        guard name.utf8.count > maximumUTF8Length else { return name }
        var length = 0
        var end = name.startIndex
        for index in name.indices {
            let size = name[index].utf8.count
            guard length + size <= maximumUTF8Length else { break }
            length += size
            end = name.index(after: index)
        }
        return String(name[..<end])
    }
}
