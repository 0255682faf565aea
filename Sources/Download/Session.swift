internal import Foundation
internal import HTTP

/// A resolved download's source: the final URL after redirects, the checked address to connect
/// to, and what the first answer said about the file.
struct DownloadSource: Sendable {
    var url: String
    var host: String
    var address: String
    var headers: [String: String]
    var size: UInt64?
    var acceptsRanges: Bool
    var fileName: String?
    /// The probe's `ETag` and `Last-Modified`: every later part must come from the same file.
    var etag: String?
    var lastModified: String?

    /// Why a later answer is not from the file the probe saw, or nil.
    func change(in head: HTTPResponseHead) -> String? {
        if let etag, let other = head.headers["etag"], other != etag { return "its ETag went from \(etag) to \(other)" }
        if let lastModified, let other = head.headers["last-modified"], other != lastModified {
            return "its Last-Modified went from \(lastModified) to \(other)"
        }
        if let size, let total = head.rangeTotal, total != size { return "its size went from \(size) to \(total) bytes" }
        return nil
    }
}

/// One download's shared state: options, the deadline, cancellation, and the requests that
/// follow redirects hop by hop under the address policy.
struct Session: Sendable {
    let options: DownloadOptions
    let deadline: ContinuousClock.Instant
    let isCancelled: @Sendable () -> Bool

    /// A request with the session's limits and the address checked for its host.
    func request(_ given: String, method: String = "GET", headers: [String: String] = [:], body: [UInt8] = []) throws(DownloadError) -> (HTTPRequest, String) {
        var url = given
        if let base = options.hostRewrites[HTTPTransfer.host(of: given)], let scheme = given.range(of: "://") {
            let rest = given[scheme.upperBound...]
            url = base + (rest.firstIndex { $0 == "/" || $0 == "?" }.map { String(rest[$0...]) } ?? "/")
        }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw DownloadError(host: HTTPTransfer.host(of: url), message: "only http and https URLs are downloaded", retryable: false)
        }
        // The host as curl reads it: the one checked is the one connected to.
        guard let parsed = HTTPURL(url), parsed.scheme == "http" || parsed.scheme == "https" else {
            throw DownloadError(host: HTTPTransfer.host(of: url), message: "the URL cannot be read (\(Self.shown(url)))", retryable: false)
        }
        let host = parsed.host
        let address = try checkedAddress(host)
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        request.pinnedAddress = address
        request.connectTimeout = options.connectTimeout
        request.stallTimeout = options.stallTimeout
        let left = deadline - .now
        guard left > .zero else { throw DownloadError(host: host, message: "the download's time limit passed", retryable: true) }
        request.totalTimeout = left
        return (request, host)
    }

    /// The first address `host` resolves to, when none of its addresses is refused by the policy.
    func checkedAddress(_ host: String) throws(DownloadError) -> String {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw DownloadError(host: host, message: "the host name does not resolve (\(String(cString: gai_strerror(status))))", retryable: true)
        }
        defer { freeaddrinfo(list) }
        var addresses: [(text: String, bytes: [UInt8])] = []
        var node: UnsafeMutablePointer<addrinfo>? = list
        while let current = node {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let shown = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if let bytes = AddressRange.parse(shown) { addresses.append((shown, bytes)) }
            }
            node = current.pointee.ai_next
        }
        guard let first = addresses.first else { throw DownloadError(host: host, message: "the host name has no address", retryable: true) }
        for address in addresses {
            if let kind = options.policy.refusal(of: address.bytes) {
                throw DownloadError(
                    host: host, message: "refused: it resolves to \(address.text), a \(kind) address (ALLOW_PRIVATE_URLS allows such hosts)", retryable: false)
            }
        }
        return first.text
    }

    /// GETs a resolver's page (at most 4 MiB), following redirects.
    func fetchPage(_ page: PageRequest) throws(DownloadError) -> FetchedPage {
        let transfer = try makeTransfer()
        var url = page.url
        var visited: Set<String> = []
        for _ in 0...options.maximumRedirects {
            guard visited.insert(url).inserted else {
                throw DownloadError(host: HTTPTransfer.host(of: url), message: "redirect loop at \(Self.shown(url))", retryable: false)
            }
            let (request, host) = try self.request(url, method: page.method, headers: page.headers, body: page.body)
            var body: [UInt8] = []
            var tooLarge = false
            var partialHead: HTTPResponseHead?
            let head: HTTPResponseHead
            do {
                head = try transfer.perform(request, head: { head in
                    partialHead = head
                    return true
                }) { chunk in
                    guard body.count + chunk.count <= 4 << 20 else {
                        tooLarge = true
                        return false
                    }
                    body += chunk
                    return true
                } progress: { _ in !isCancelled() }
            } catch {
                // A big answer is cut at 4 MiB (the resolver decides from its head: a file rather
                // than a page); an answer that never came is status 0 (a mirror that is down).
                if tooLarge, let head = error.kind == .stopped ? partialHead : nil {
                    return FetchedPage(status: head.status, url: url, headers: head.headers, body: body)
                }
                if [.connect, .timeout, .dropped, .tls].contains(error.kind) {
                    return FetchedPage(status: 0, url: url, headers: ["x-dumpyard-error": error.message], body: [])
                }
                throw Self.failure(error, tried: "\(page.method) \(Self.shown(url))")
            }
            if (300..<400).contains(head.status), let location = head.headers["location"] {
                url = try Self.resolve(location, against: url, host: host)
                continue
            }
            return FetchedPage(status: head.status, url: url, headers: head.headers, body: body)
        }
        throw DownloadError(host: HTTPTransfer.host(of: url), message: "more than \(options.maximumRedirects) redirects", retryable: false)
    }

    /// Finds the file behind `direct`: follows redirects to the host that serves it and learns its
    /// size and whether it takes ranges (`Range: bytes=0-0`), reading nothing more.
    func open(_ direct: DirectDownload) throws(DownloadError) -> DownloadSource {
        let transfer = try makeTransfer()
        var url = direct.url
        var visited: Set<String> = []
        for _ in 0...options.maximumRedirects {
            guard visited.insert(url).inserted else {
                throw DownloadError(host: HTTPTransfer.host(of: url), message: "redirect loop at \(Self.shown(url))", retryable: false)
            }
            var (request, host) = try self.request(url, headers: direct.headers)
            request.rangeStart = 0
            request.rangeEnd = 0
            var answer: HTTPResponseHead?
            do {
                try transfer.perform(request, head: { head in
                    answer = head
                    return false  // the head says it all
                }, body: { _ in false })
            } catch {
                // Stopping after the head is the plan; anything else failed.
                guard error.kind == .stopped, answer != nil else { throw Self.failure(error, tried: "GET \(Self.shown(url))") }
            }
            guard let head = answer else { throw DownloadError(host: host, message: "no answer to GET \(Self.shown(url))", retryable: true) }
            switch head.status {
            case 300..<400:
                guard let location = head.headers["location"] else {
                    throw DownloadError(host: host, message: "HTTP \(head.status) without a Location for GET \(Self.shown(url))", retryable: false)
                }
                url = try Self.resolve(location, against: url, host: host)
            case 206:
                return DownloadSource(
                    url: url, host: host, address: request.pinnedAddress ?? "", headers: direct.headers, size: head.rangeTotal ?? direct.size,
                    acceptsRanges: head.rangeTotal != nil, fileName: Self.fileName(head, url: url),
                    etag: head.headers["etag"], lastModified: head.headers["last-modified"])
            case 200:
                return DownloadSource(
                    url: url, host: host, address: request.pinnedAddress ?? "", headers: direct.headers, size: head.contentLength ?? direct.size,
                    acceptsRanges: false, fileName: Self.fileName(head, url: url))
            case 416 where head.rangeTotal == 0:
                return DownloadSource(
                    url: url, host: host, address: request.pinnedAddress ?? "", headers: direct.headers, size: 0, acceptsRanges: false,
                    fileName: Self.fileName(head, url: url))
            default:
                throw Self.statusFailure(head, host: host, tried: "GET \(Self.shown(url))")
            }
        }
        throw DownloadError(host: HTTPTransfer.host(of: url), message: "more than \(options.maximumRedirects) redirects", retryable: false)
    }

    func makeTransfer() throws(DownloadError) -> HTTPTransfer {
        do { return try HTTPTransfer() } catch { throw DownloadError(host: "", message: error.message, retryable: true) }
    }

    // MARK: - Messages

    /// A URL as it may be shown: no credentials, query or fragment.
    static func shown(_ url: String) -> String {
        var text = url
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" }
            if let at = authority.lastIndex(of: "@") { text = String(text[..<scheme.upperBound]) + String(rest[rest.index(after: at)...]) }
        }
        return text
    }

    static func failure(_ error: HTTPError, tried: String) -> DownloadError {
        let retryable = [.connect, .timeout, .dropped].contains(error.kind)
        return DownloadError(host: error.host, message: "\(error.message) (\(tried))", retryable: retryable)
    }

    static func statusFailure(_ head: HTTPResponseHead, host: String, tried: String) -> DownloadError {
        var message = "HTTP \(head.status) for \(tried)"
        if let wait = head.headers["retry-after"] { message += ", retry after \(wait) s" }
        let retryable = head.status == 408 || head.status == 429 || head.status >= 500
        return DownloadError(host: host, message: message, retryable: retryable)
    }

    /// `location` made absolute against `base`; only http(s) targets are followed.
    static func resolve(_ location: String, against base: String, host: String) throws(DownloadError) -> String {
        guard let absolute = URL(string: location, relativeTo: URL(string: base))?.absoluteString else {
            throw DownloadError(host: host, message: "a redirect to an unreadable location", retryable: false)
        }
        let lowered = absolute.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw DownloadError(host: host, message: "a redirect to a non-http(s) location (\(shown(absolute)))", retryable: false)
        }
        return absolute
    }

    /// The name from `Content-Disposition`, else the URL's last path component.
    static func fileName(_ head: HTTPResponseHead, url: String) -> String? {
        if let disposition = head.headers["content-disposition"] {
            for part in disposition.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if part.lowercased().hasPrefix("filename*="), let quote = part.range(of: "''") {
                    return String(part[quote.upperBound...]).removingPercentEncoding
                }
                if part.lowercased().hasPrefix("filename=") {
                    return String(part.dropFirst("filename=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            }
        }
        let path = shown(url).split(separator: "/", omittingEmptySubsequences: false).dropFirst(3).joined(separator: "/")
        return path.split(separator: "/").last.map(String.init)?.removingPercentEncoding
    }
}
