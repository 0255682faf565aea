/// A git blob id: SHA-1 of `blob <size>\0<content>`. The staging store is keyed by it.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 20 raw bytes.
    public let bytes: [UInt8]

    /// Wraps 20 raw bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 20, "an object id has 20 bytes")
        self.bytes = bytes
    }

    /// Parses 40 hex digits (either case).
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex), bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// The 40 lower-case hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func < (a: ObjectID, b: ObjectID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// Lower-case hexadecimal text for bytes.
public enum Hex {
    /// Encodes bytes as lower-case hex digits.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let table = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        for b in bytes {
            chars.append(table[Int(b >> 4)])
            chars.append(table[Int(b & 15)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Decodes hex digits; nil for an odd count or a non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
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
