/// A Redis reply (RESP2), copied out of hiredis: binary-safe strings, nested arrays.
public enum RedisReply: Sendable, Hashable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
    /// An error reply (`NOSCRIPT …`, `WRONGTYPE …`): the connection stays usable.
    case error(String)

    /// The reply as text, for strings and statuses.
    public var text: String? {
        switch self {
        case .string(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The reply as a number, for integers and numeric strings.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .string(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }
}
