/// Where a Redis server is and how to log in, from a `redis://[user[:password]@]host[:port][/db]`
/// URL (user and password percent-decoded, `[::1]` for IPv6 hosts, port 6379 and database 0 by
/// default). Its description never shows the password.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var user: String?
    public var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, user: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// Why a URL was refused (the message never repeats the password).
    public struct URLError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `url`.
    public init(url: String) throws(URLError) {
        guard url.hasPrefix("redis://") else {
            throw URLError(description: url.hasPrefix("rediss://")
                ? "rediss:// (TLS) is not supported: the system's hiredis 0.14 has no TLS"
                : "a Redis URL starts with redis:// (redis://[user:password@]host[:port][/db])")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon])
                password = try Self.decode(credentials[credentials.index(after: colon)...])
            } else {
                user = try Self.decode(credentials)
            }
            if user?.isEmpty == true { user = nil }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0, number < 1 << 16 else { throw URLError(description: "the database in a Redis URL is a number (got \(db))") }
                database = number
            }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw URLError(description: "an IPv6 host in a Redis URL needs its closing ]") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw URLError(description: "unexpected text after the host of a Redis URL") }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw URLError(description: "a Redis URL needs a host") }
        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { throw URLError(description: "the port in a Redis URL is 1–65535 (got \(portText))") }
            port = number
        }
        self.init(host: String(host), port: port, database: database, user: user, password: password)
    }

    /// `redis://user:***@host:port/db`: safe to log.
    public var description: String {
        let credentials = password != nil ? "\(user ?? ""):***@" : (user.map { "\($0)@" } ?? "")
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(credentials)\(shownHost):\(port)/\(database)"
    }

    private static func decode(_ text: Substring) throws(URLError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                    throw URLError(description: "bad %-escape in the credentials of a Redis URL")
                }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
