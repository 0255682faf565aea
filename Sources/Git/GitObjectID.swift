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

    /// Parses 40 hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 40 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(20)
        var i = 0
        while i < 40 {
            guard let hi = Self.nibble(digits[i]), let lo = Self.nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self.bytes = out
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

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
