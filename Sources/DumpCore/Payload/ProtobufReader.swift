/// Reads protocol-buffer wire format (proto2 or proto3) field by field, with no schema: varints,
/// 64-bit, length-delimited and 32-bit values. Every length is checked against the bytes that
/// remain, so a lying length fails instead of reading past the message. Groups (wire types 3 and
/// 4) are refused; nothing in the payload manifest uses them.
public struct ProtobufReader: Sendable {
    /// One field as it appears on the wire.
    public struct Field: Sendable, Hashable {
        public var number: UInt64
        public var value: Value
        /// Where the field's tag starts, relative to the outermost message.
        public var offset: Int
    }

    /// A field's value, by wire type.
    public enum Value: Sendable, Hashable {
        case varint(UInt64)
        case fixed64(UInt64)
        /// The bytes of a length-delimited value: a range of the reader's buffer.
        case bytes(Range<Int>)
        case fixed32(UInt32)
    }

    /// How deeply messages may nest before the reader refuses (the payload manifest needs 4).
    public static let maximumDepth = 16

    /// The whole buffer the outermost message was read from.
    public let buffer: [UInt8]
    private var position: Int
    private let end: Int
    /// Where this message starts in `buffer`.
    public let startOffset: Int
    /// How many messages enclose this one.
    public let depth: Int

    /// A reader over all of `buffer`.
    public init(_ buffer: [UInt8]) {
        self.init(buffer: buffer, range: 0..<buffer.count, depth: 0)
    }

    private init(buffer: [UInt8], range: Range<Int>, depth: Int) {
        self.buffer = buffer
        self.position = range.lowerBound
        self.startOffset = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
    }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws(PayloadFormatError) -> Field? {
        guard position < end else { return nil }
        let start = position
        let tag = try readVarint()
        let number = tag >> 3
        guard number != 0 else { throw error(at: start, "field number 0") }
        switch tag & 7 {
        case 0:
            return Field(number: number, value: .varint(try readVarint()), offset: start)
        case 1:
            return Field(number: number, value: .fixed64(try readLittleEndian(8)), offset: start)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw error(at: start, "field \(number) claims \(length) bytes but only \(end - position) remain")
            }
            let range = position..<(position + Int(length))
            position = range.upperBound
            return Field(number: number, value: .bytes(range), offset: start)
        case 5:
            return Field(number: number, value: .fixed32(UInt32(try readLittleEndian(4))), offset: start)
        default:
            throw error(at: start, "field \(number) has unsupported wire type \(tag & 7)")
        }
    }

    /// A reader for the embedded message in `field`, one level deeper.
    public func message(_ field: Field) throws(PayloadFormatError) -> ProtobufReader {
        guard case .bytes(let range) = field.value else { throw error(at: field.offset, "field \(field.number) is not a message") }
        guard depth + 1 <= Self.maximumDepth else { throw error(at: field.offset, "messages nest deeper than \(Self.maximumDepth) levels") }
        return ProtobufReader(buffer: buffer, range: range, depth: depth + 1)
    }

    /// The field as an unsigned integer (varint or fixed width).
    public func integer(_ field: Field) throws(PayloadFormatError) -> UInt64 {
        switch field.value {
        case .varint(let v), .fixed64(let v): return v
        case .fixed32(let v): return UInt64(v)
        case .bytes: throw error(at: field.offset, "field \(field.number) should be a number")
        }
    }

    /// The field as an unsigned 32-bit integer; larger values are refused rather than truncated.
    public func integer32(_ field: Field) throws(PayloadFormatError) -> UInt32 {
        let v = try integer(field)
        guard let small = UInt32(exactly: v) else { throw error(at: field.offset, "field \(field.number) value \(v) does not fit 32 bits") }
        return small
    }

    /// The field's bytes.
    public func bytes(_ field: Field) throws(PayloadFormatError) -> [UInt8] {
        guard case .bytes(let range) = field.value else { throw error(at: field.offset, "field \(field.number) should be bytes") }
        return Array(buffer[range])
    }

    /// The field as UTF-8 text.
    public func string(_ field: Field) throws(PayloadFormatError) -> String {
        guard let text = String(validating: try bytes(field), as: UTF8.self) else {
            throw error(at: field.offset, "field \(field.number) is not valid UTF-8")
        }
        return text
    }

    private mutating func readVarint() throws(PayloadFormatError) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error(at: start, "a varint runs past the end of its message") }
            let byte = buffer[position]
            position += 1
            // The tenth byte may only carry the top bit of a 64-bit value.
            guard shift < 63 || byte <= 1 else { throw error(at: start, "a varint is longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private mutating func readLittleEndian(_ count: Int) throws(PayloadFormatError) -> UInt64 {
        guard end - position >= count else { throw error(at: position, "a \(count * 8)-bit value runs past the end of its message") }
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(buffer[position + i]) << (8 * UInt64(i)) }
        position += count
        return value
    }

    private func error(at offset: Int, _ cause: String) -> PayloadFormatError {
        PayloadFormatError(offset: UInt64(offset), cause: "malformed manifest: \(cause)")
    }
}
