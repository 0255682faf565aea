/// A path inside a dump, relative to its root, kept as raw bytes: firmware file names are not
/// always valid UTF-8, and a dump loses nothing.
public struct RepoPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The slash-separated path bytes, without a leading or trailing slash.
    public let bytes: [UInt8]

    /// Wraps path bytes. Use `validated(_:)` for bytes that come from a firmware.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Wraps a path written as text.
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    /// The path for display and prop lookups (invalid UTF-8 replaced).
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The path's components.
    public var components: [ArraySlice<UInt8>] { bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) }

    /// `self` under `prefix` (`prefix/self`).
    public func prefixed(by prefix: RepoPath) -> RepoPath {
        prefix.bytes.isEmpty ? self : RepoPath(bytes: prefix.bytes + [UInt8(ascii: "/")] + bytes)
    }

    /// Byte order, the order of `all_files.txt` and of the manifest.
    public static func < (a: RepoPath, b: RepoPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Checks raw path bytes from a firmware (archive member or file system entry) and returns the
    /// path when every component is a plain name: not empty, not `.` or `..`, no NUL byte, not
    /// absolute, and no component named `.git` (git refuses those).
    public static func validated(_ raw: [UInt8]) throws(UnsafePathError) -> RepoPath {
        var bytes = raw
        // Archives mark directories with a trailing slash; that is not an escape.
        while bytes.last == UInt8(ascii: "/") && bytes.count > 1 { bytes.removeLast() }
        let display = DisplayName.of(raw)
        if bytes.first == UInt8(ascii: "/") { throw UnsafePathError(path: display, reason: .absolute) }
        if bytes.count > maximumLength { throw UnsafePathError(path: display, reason: .tooLong) }
        let components = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if components.count > maximumDepth { throw UnsafePathError(path: display, reason: .tooLong) }
        for component in components {
            if let reason = problem(withComponent: component) { throw UnsafePathError(path: display, reason: reason) }
        }
        return RepoPath(bytes: bytes)
    }

    /// The longest path and the deepest nesting a dump accepts (git and file systems break beyond).
    public static let maximumLength = 4096
    public static let maximumDepth = 256

    /// Why one path component cannot be part of a dump, or nil when it is a plain name: not empty,
    /// not `.` or `..`, no `/` or NUL byte, and not a name git reserves (`.git`, `.gitmodules`
    /// and their NTFS short aliases, in any case, with HFS+-ignored code points or NTFS-ignored
    /// trailing dots and spaces).
    public static func problem(withComponent component: ArraySlice<UInt8>) -> UnsafePathError.Reason? {
        if component.isEmpty { return .emptyComponent }
        if component.elementsEqual([UInt8(ascii: ".")]) { return .dotComponent }
        if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) { return .parentComponent }
        if component.contains(0) { return .nulByte }
        if component.contains(UInt8(ascii: "/")) { return .slashInName }
        let name = gitComparable(component)
        if names(name, ".git") || names(name, "git~1") { return .gitDirectory }
        if names(name, ".gitmodules") || names(name, "gitmod~1") { return .gitModules }
        return nil
    }

    /// A name as git compares it against its reserved names on case-insensitive file systems:
    /// lower-cased, without the code points HFS+ ignores (zero-width joiners, direction marks, …),
    /// so `.G\u{200C}it` is `.git`.
    static func gitComparable(_ component: ArraySlice<UInt8>) -> String {
        let ignored: [ClosedRange<UInt32>] = [0x200C...0x200F, 0x202A...0x202E, 0x206A...0x206F, 0xFEFF...0xFEFF]
        let scalars = String(decoding: component, as: UTF8.self).unicodeScalars.filter { scalar in
            !ignored.contains { $0.contains(scalar.value) }
        }
        return String(String.UnicodeScalarView(scalars)).lowercased()
    }

    /// True when `name` is `reserved` as NTFS reads it too: trailing dots and spaces dropped, and
    /// anything after a `:` (an alternate data stream) ignored.
    static func names(_ name: String, _ reserved: String) -> Bool {
        guard name.hasPrefix(reserved) else { return false }
        let rest = name.dropFirst(reserved.count)
        return rest.first == ":" || rest.allSatisfy { $0 == "." || $0 == " " }
    }
}

/// A firmware path that could escape the directory it is extracted to, or that git cannot hold.
public struct UnsafePathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the path is refused.
    public enum Reason: Sendable, Hashable {
        case absolute, parentComponent, dotComponent, emptyComponent, nulByte, slashInName, gitDirectory, gitModules, tooLong
        case throughSymlink(String)
        case symlinkEscapes(String)
    }

    /// The offending path, for display.
    public var path: String
    /// Why it is refused.
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .absolute: "unsafe path \"\(path)\": absolute path"
        case .parentComponent: "unsafe path \"\(path)\": '..' component escapes the dump"
        case .dotComponent: "unsafe path \"\(path)\": '.' component"
        case .emptyComponent: "unsafe path \"\(path)\": empty path component"
        case .nulByte: "unsafe path \"\(path)\": NUL byte in name"
        case .gitDirectory: "unsafe path \"\(path)\": '.git' component"
        case .gitModules: "unsafe path \"\(path)\": '.gitmodules' (git would read it as submodule settings)"
        case .slashInName: "unsafe path \"\(path)\": '/' inside a file name"
        case .tooLong: "unsafe path \"\(path)\": longer than \(RepoPath.maximumLength) bytes or deeper than \(RepoPath.maximumDepth) levels"
        case .throughSymlink(let link): "unsafe path \"\(path)\": goes through the symlink member \"\(link)\""
        case .symlinkEscapes(let target): "unsafe symlink \"\(path)\": target \"\(target)\" points outside the package"
        }
    }
}

/// Names from a firmware made safe to print on one line: control characters, invalid UTF-8 and
/// backslashes are escaped, and very long names are shortened in the middle.
public enum DisplayName {
    public static func of(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\u{FFFD}": out += "\\?"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
                out += "\\x" + Hex.encode([UInt8(truncatingIfNeeded: scalar.value)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        if out.count > 300 { out = String(out.prefix(150)) + "…" + String(out.suffix(100)) }
        return out
    }
}
