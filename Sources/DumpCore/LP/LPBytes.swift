/// Little-endian fields and NUL-padded names of the LP structures, read from a byte buffer.
/// Callers check bounds first; these only index.
extension [UInt8] {
    func lpU16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }

    func lpU32(_ at: Int) -> UInt32 {
        UInt32(self[at]) | UInt32(self[at + 1]) << 8 | UInt32(self[at + 2]) << 16 | UInt32(self[at + 3]) << 24
    }

    func lpU64(_ at: Int) -> UInt64 { UInt64(lpU32(at)) | UInt64(lpU32(at + 4)) << 32 }

    /// The buffer with `range` set to zeros (a checksum field, before hashing).
    func zeroing(_ range: Range<Int>) -> [UInt8] {
        var copy = self
        for i in range { copy[i] = 0 }
        return copy
    }
}

/// A fixed-size name field (36 bytes in LP): printable ASCII, NUL-terminated and NUL-padded.
enum LPName {
    static let fieldSize = 36

    /// The name at `at`, or nil when it has no NUL or holds a byte that is not printable ASCII
    /// (or a `/`).
    static func parse(_ bytes: [UInt8], at: Int) -> String? {
        let field = bytes[at..<(at + fieldSize)]
        guard let end = field.firstIndex(of: 0) else { return nil }
        let name = field[at..<end]
        guard name.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }
}
