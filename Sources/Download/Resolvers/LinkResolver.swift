/// A page or API answer a resolver asked for.
public struct FetchedPage: Sendable, Hashable {
    /// The HTTP status (200, 404, …).
    public var status: Int
    /// The URL that answered, after redirects.
    public var url: String
    /// Response headers, names lower-cased (`set-cookie` may repeat: joined with "\n").
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A request a resolver wants made before it can go on.
public struct PageRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// How to decrypt a download that arrives encrypted (MEGA: AES-128-CTR).
public struct ContentDecryption: Sendable, Hashable {
    /// 16-byte AES key.
    public var key: [UInt8]
    /// 16-byte initial counter block (nonce, then a big-endian block counter starting at 0).
    public var counter: [UInt8]

    public init(key: [UInt8], counter: [UInt8]) {
        self.key = key
        self.counter = counter
    }
}

/// Where the firmware's bytes are, once a resolver is done.
public struct DirectDownload: Sendable, Hashable {
    public var url: String
    /// Headers the download needs (a cookie from the confirmation page, …).
    public var headers: [String: String]
    /// The file name the host gives, if any (else the downloader takes it from the response).
    public var fileName: String?
    /// The size the host announces, if any.
    public var size: UInt64?
    public var decryption: ContentDecryption?

    public init(url: String, headers: [String: String] = [:], fileName: String? = nil, size: UInt64? = nil, decryption: ContentDecryption? = nil) {
        self.url = url
        self.headers = headers
        self.fileName = fileName
        self.size = size
        self.decryption = decryption
    }
}

/// What a resolver says next.
public enum ResolveStep: Sendable, Hashable {
    /// Make this request and call the resolver again with its answer appended.
    case fetch(PageRequest)
    /// Download this.
    case download(DirectDownload)
    /// The link cannot be resolved; the reason names the host and what was wrong.
    case failure(String)
}

/// Turns a firmware host's share link into a direct download, as a pure function of the link and
/// the answers to the requests it asked for so far (no I/O: the downloader makes the requests).
public protocol LinkResolver: Sendable {
    /// The host's name as shown in messages ("Google Drive").
    var name: String { get }
    /// True when this resolver handles `url`.
    func handles(_ url: String) -> Bool
    /// The next step, given the answers to the earlier requests, in order.
    func next(for url: String, after pages: [FetchedPage]) -> ResolveStep
}
