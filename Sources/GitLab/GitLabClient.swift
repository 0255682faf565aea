internal import Foundation
internal import HTTP

/// GitLab's REST API v4 (reference/git.md §4): every call with a timeout, retried on 429 (as long
/// as `Retry-After` or `RateLimit-Reset` say) and on 5xx or a lost connection, with errors that
/// name GitLab, the operation and the status. The token goes in `PRIVATE-TOKEN` and nowhere else.
public final class GitLabClient: Sendable {
    /// The server, e.g. `https://gitlab.example` (the API is under `/api/v4`).
    public let url: String
    private let token: String
    private let exchange: Exchange
    public let retry: RetryPolicy
    /// The limit of each request, retries not included.
    public let timeout: Duration
    /// Items asked for per page of a list (GitLab allows at most 100).
    public let pageSize: Int

    public init(
        url: String, token: String, transport: any GitLabTransport, retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(60),
        pageSize: Int = 100, sleep: (@Sendable (Duration) -> Void)? = nil
    ) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.token = token
        self.retry = retry
        self.timeout = timeout
        self.pageSize = min(max(pageSize, 1), 100)
        exchange = Exchange(transport: transport, retry: retry, sleep: sleep ?? Exchange.defaultSleep, secrets: [token])
    }

    /// One API call (`path` after `/api/v4`, already encoded, or an absolute URL on this server),
    /// retried as `retry` says. Answers other than 2xx are errors, 404 included.
    func call(_ operation: String, _ method: String = "GET", _ path: String, json: [String: Any]? = nil) throws(GitLabError) -> GitLabResponse {
        let target = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : url + "/api/v4" + path
        var request = HTTPRequest(method: method, url: target, headers: ["PRIVATE-TOKEN": token, "Accept": "application/json"])
        request.allowHTTP2 = true
        request.connectTimeout = min(timeout, .seconds(20))
        request.stallTimeout = timeout
        request.totalTimeout = timeout
        if let json {
            guard let body = try? JSONSerialization.data(withJSONObject: json) else {
                throw GitLabError(operation: operation, status: 0, message: "cannot encode the request")
            }
            request.body = Array(body)
            request.headers["Content-Type"] = "application/json"
        }
        return try exchange.send(request, operation)
    }

    /// A JSON answer decoded, or nil on 404 (the thing is absent).
    func get<T: Decodable>(_ type: T.Type, _ operation: String, _ path: String) throws(GitLabError) -> T? {
        do {
            return try decode(type, operation, try call(operation, "GET", path))
        } catch where error.status == 404 {
            return nil
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ operation: String, _ response: GitLabResponse) throws(GitLabError) -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(type, from: Data(response.body)) } catch {
            throw GitLabError(operation: operation, status: response.status, message: "an answer dumpyard cannot read (\(error))")
        }
    }

    /// Every page of a list, following `Link: rel="next"` (kept on this server: a link elsewhere
    /// would carry the token away).
    func all<T: Decodable>(_ type: T.Type, _ operation: String, _ path: String) throws(GitLabError) -> [T] {
        var items: [T] = []
        var next: String? = path + (path.contains("?") ? "&" : "?") + "per_page=\(pageSize)"
        var visited = Set<String>()
        while let page = next {
            // A next link seen before is a loop; 10,000 pages is more than any listing needs.
            guard visited.insert(page).inserted else { throw GitLabError(operation: operation, status: 0, message: "the next-page links loop") }
            guard visited.count <= 10_000 else { throw GitLabError(operation: operation, status: 0, message: "more than 10,000 pages") }
            let response = try call(operation, "GET", page)
            items += try decode([T].self, operation, response)
            next = try GitLabPath.nextLink(response.headers["link"]).map { (link: String) throws(GitLabError) -> String in
                guard let api = link.range(of: "/api/v4/") else {
                    throw GitLabError(operation: operation, status: response.status, message: "a next-page link outside the API")
                }
                return "/" + link[api.upperBound...]
            }
        }
        return items
    }
}
