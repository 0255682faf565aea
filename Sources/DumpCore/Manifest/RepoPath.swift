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
        let display = String(decoding: raw, as: UTF8.self)
        if bytes.first == UInt8(ascii: "/") { throw UnsafePathError(path: display, reason: .absolute) }
        if bytes.isEmpty { throw UnsafePathError(path: display, reason: .emptyComponent) }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty { throw UnsafePathError(path: display, reason: .emptyComponent) }
            if component.elementsEqual([UInt8(ascii: ".")]) { throw UnsafePathError(path: display, reason: .dotComponent) }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                throw UnsafePathError(path: display, reason: .parentComponent)
            }
            if component.contains(0) { throw UnsafePathError(path: display, reason: .nulByte) }
            if String(decoding: component, as: UTF8.self).lowercased() == ".git" {
                throw UnsafePathError(path: display, reason: .gitDirectory)
            }
        }
        return RepoPath(bytes: bytes)
    }
}

/// A firmware path that could escape the directory it is extracted to, or that git cannot hold.
public struct UnsafePathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the path is refused.
    public enum Reason: Sendable, Hashable {
        case absolute, parentComponent, dotComponent, emptyComponent, nulByte, gitDirectory
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
        case .throughSymlink(let link): "unsafe path \"\(path)\": goes through the symlink member \"\(link)\""
        case .symlinkEscapes(let target): "unsafe symlink \"\(path)\": target \"\(target)\" points outside the package"
        }
    }
}
