/// One HTTP request: what to send and the limits it runs under. Redirects are not followed: the
/// caller sees each 3xx and decides (the URL policy checks every hop).
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    /// Extra request headers.
    public var headers: [String: String]
    public var body: [UInt8]
    /// A file whose bytes are the body, streamed (PUT unless `method` says otherwise); `body` is
    /// then ignored.
    public var uploadFile: String?
    /// Bytes sent before `uploadFile`'s (a protocol's commands ahead of a pack file).
    public var uploadPrefix: [UInt8] = []
    /// `Range: bytes=<from>-[<through>]` when set.
    public var rangeStart: UInt64?
    public var rangeEnd: UInt64?
    /// Connect to this address instead of resolving the host (the address the URL policy checked).
    public var pinnedAddress: String?
    public var connectTimeout: Duration = .seconds(20)
    /// The transfer fails when no byte arrives for this long.
    public var stallTimeout: Duration = .seconds(60)
    /// The whole transfer fails after this long (nil: no limit).
    public var totalTimeout: Duration?
    /// HTTP/2 where the server offers it over TLS, else HTTP/1.1.
    public var allowHTTP2 = true

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response's status line and headers, known before its body.
public struct HTTPResponseHead: Sendable, Hashable {
    public var status: Int
    /// Header names lower-cased; repeated headers joined with "\n".
    public var headers: [String: String]
    /// "1.1", "2".
    public var version: String

    public init(status: Int, headers: [String: String], version: String) {
        self.status = status
        self.headers = headers
        self.version = version
    }

    /// `Content-Length`, when given.
    public var contentLength: UInt64? { headers["content-length"].flatMap { UInt64($0.trimmed) } }

    /// The total size from `Content-Range: bytes a-b/total`, when given.
    public var rangeTotal: UInt64? {
        guard let value = headers["content-range"], let slash = value.lastIndex(of: "/") else { return nil }
        return UInt64(value[value.index(after: slash)...].trimmed)
    }

    /// The first byte of a partial answer (`Content-Range: bytes a-b/total`).
    public var rangeFirst: UInt64? {
        guard let value = headers["content-range"], value.hasPrefix("bytes "), let dash = value.firstIndex(of: "-") else { return nil }
        return UInt64(value[value.index(value.startIndex, offsetBy: 6)..<dash].trimmed)
    }
}

extension StringProtocol {
    var trimmed: String {
        // "\r\n" is one Character: `isWhitespace` covers it.
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
