/// Why a dump's properties could not be resolved.
public struct PropertyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; new kinds can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: Sendable, Hashable {
            case codenameNotDetected
        }

        private let kind: Kind

        /// No codename property and no usable fingerprint in any searched file.
        public static let codenameNotDetected = Code(kind: .codenameNotDetected)

        /// A short phrase, e.g. `codename not detected`.
        public var description: String {
            switch kind {
            case .codenameNotDetected: "codename not detected"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The property files that were searched (those the resolver reads), sorted.
    public var searchedPaths: [String]

    /// An error of `code` after searching `searchedPaths`.
    public init(code: Code, searchedPaths: [String]) {
        self.code = code
        self.searchedPaths = searchedPaths
    }

    /// For example `codename not detected: searched 2 property files (system/build.prop, vendor/build.prop)`.
    public var description: String {
        let count = searchedPaths.count
        let files = "searched \(count) property \(count == 1 ? "file" : "files")"
        guard count > 0 else { return "\(code): \(files)" }
        var shown = searchedPaths.prefix(Self.shownPaths).joined(separator: ", ")
        if count > Self.shownPaths {
            shown += ", and \(count - Self.shownPaths) more"
        }
        return "\(code): \(files) (\(shown))"
    }

    private static let shownPaths = 5
}
