public import HTTP
internal import Synchronization

/// One HTTP exchange with the GitLab server: the port the client talks through (libcurl in
/// production, a scripted one in unit tests).
public protocol GitLabTransport: Sendable {
    func send(_ request: HTTPRequest) throws(HTTPError) -> GitLabResponse
}

/// A whole answer: status, headers (names lower-cased) and body.
public struct GitLabResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The transport over libcurl: one kept-alive handle, one call at a time; bodies cut at
/// `maximumBody` bytes (API answers are small; raw files are read with their own limit).
public final class CurlGitLabTransport: GitLabTransport {
    private let transfer: Mutex<HTTPTransfer>
    private let maximumBody: Int

    public init(maximumBody: Int = 64 << 20) throws(HTTPError) {
        transfer = Mutex(try HTTPTransfer())
        self.maximumBody = maximumBody
    }

    public func send(_ request: HTTPRequest) throws(HTTPError) -> GitLabResponse {
        try transfer.withLock { transfer throws(HTTPError) in
            let (head, body) = try transfer.fetch(request, limit: maximumBody)
            return GitLabResponse(status: head.status, headers: head.headers, body: body)
        }
    }
}
