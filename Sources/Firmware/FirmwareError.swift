/// Why a firmware could not be read: the file (member or image), where in it, and the cause.
/// Its description is the one-line cause a failed job reports.
public struct FirmwareError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in, as the user knows it (`firmware.zip`, `system.img`).
    public var file: String
    /// The byte offset of the problem in that file, when known.
    public var offset: UInt64?
    /// What is wrong.
    public var cause: String

    public init(file: String, offset: UInt64? = nil, cause: String) {
        self.file = file
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        if let offset { return "\(file): at offset \(offset): \(cause)" }
        return "\(file): \(cause)"
    }
}
