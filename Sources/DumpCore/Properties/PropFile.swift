/// One property file of a dump: its path relative to the dump root and its raw bytes.
///
/// Paths use `/` and no leading `/` or `./`, for example `system/system/build.prop`.
public struct PropFile: Sendable, Hashable {
    /// The path relative to the dump root, e.g. `vendor/build.prop`.
    public var path: String
    /// The file's bytes, as stored; they need not be UTF-8.
    public var bytes: [UInt8]

    /// A property file at `path` holding `bytes`.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}
