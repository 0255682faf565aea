/// A failure to talk to Redis: the connection could not be made, or broke (I/O error, timeout,
/// server gone) and must be opened again. Error replies are not errors here: see `RedisReply.error`.
/// Messages name the server without its password.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where: `redis://host:port/db`.
    public var server: String
    /// What failed (`connect`, `AUTH`, `EVALSHA`).
    public var operation: String
    public var message: String

    public var description: String { "Redis \(server): \(operation) failed: \(message)" }
}
