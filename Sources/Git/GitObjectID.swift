internal import CGit2

/// A git object id (20 bytes of SHA-1).
public struct GitObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The raw id.
    public let bytes: [UInt8]

    /// Wraps 20 raw bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 20, "a git object id has 20 bytes")
        self.bytes = bytes
    }

    /// The 40 lower-case hex digits.
    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(40)
        for b in bytes {
            chars.append(table[Int(b >> 4)])
            chars.append(table[Int(b & 15)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    public var description: String { hex }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }

    init(_ oid: git_oid) {
        var copy = oid
        self.bytes = withUnsafeBytes(of: &copy.id) { Array($0) }
    }
}
