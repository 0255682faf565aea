/// A dump-relative path with `*` wildcards, as the property chains name their files.
///
/// Each `*` matches any run of characters (possibly none) inside one path segment, never a `/`;
/// everything else matches itself. `vendor/euclid/*/build.prop` matches
/// `vendor/euclid/my_manifest/build.prop` but not `vendor/euclid/a/b/build.prop`.
struct PropPathPattern: Sendable, Hashable, ExpressibleByStringLiteral {
    private let bytes: [UInt8]
    private let hasWildcards: Bool

    /// A pattern in which `*` is a wildcard.
    init(_ pattern: String) {
        bytes = Array(pattern.utf8)
        hasWildcards = true
    }

    init(stringLiteral pattern: String) {
        self.init(pattern)
    }

    /// A pattern matching exactly `path`, even if it contains `*`.
    init(literal path: String) {
        bytes = Array(path.utf8)
        hasWildcards = false
    }

    /// The bytes after the last wildcard: every matching path ends with them.
    var literalTail: ArraySlice<UInt8> {
        guard hasWildcards, let star = bytes.lastIndex(of: Self.star) else { return bytes[...] }
        return bytes[(star + 1)...]
    }

    /// True when the UTF-8 bytes of a path match this pattern.
    ///
    /// Greedy matching that, on a mismatch, lets the most recent `*` take one more byte; since no `*`
    /// crosses a `/`, segments line up one to one and earlier stars never need revisiting.
    func matches<Path: Collection<UInt8>>(_ path: Path) -> Bool {
        guard hasWildcards else { return path.elementsEqual(bytes) }
        var p = 0
        var t = path.startIndex
        var retry: (pattern: Int, text: Path.Index)?
        while t != path.endIndex {
            if p < bytes.count, bytes[p] == Self.star {
                p += 1
                retry = (p, t)
            } else if p < bytes.count, bytes[p] == path[t] {
                p += 1
                t = path.index(after: t)
            } else if let (pattern, text) = retry, path[text] != Self.slash {
                p = pattern
                t = path.index(after: text)
                retry = (pattern, t)
            } else {
                return false
            }
        }
        return bytes[p...].allSatisfy { $0 == Self.star }
    }

    private static let slash = UInt8(ascii: "/")
    private static let star = UInt8(ascii: "*")
}
