internal import CCurl
#if canImport(Glibc)
internal import Glibc
#endif

/// One libcurl easy handle, reused request after request (its connections stay open between
/// them). A transfer belongs to one thread at a time.
public final class HTTPTransfer {
    private let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    public init() throws(HTTPError) {
        HTTPLibrary.initialize()
        guard let handle = curl_easy_init() else { throw HTTPError(kind: .other, host: "", message: "libcurl cannot make a handle") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends `request`. `head` sees the final response's status and headers before any of its body
    /// (false: stop there); `body` gets the body in pieces (false: stop); `progress` is called
    /// often with bytes received so far (false: stop). A stop by a handler ends the call with an
    /// `HTTPError` of kind `.stopped`. 3xx answers are returned like any other.
    @discardableResult
    public func perform(
        _ request: HTTPRequest, head: (HTTPResponseHead) -> Bool = { _ in true }, body: (UnsafeRawBufferPointer) -> Bool,
        progress: (UInt64) -> Bool = { _ in true }
    ) throws(HTTPError) -> HTTPResponseHead {
        let host = Self.host(of: request.url)
        return try withoutActuallyEscaping(head) { head throws(HTTPError) in
            try withoutActuallyEscaping(body) { body throws(HTTPError) in
                try withoutActuallyEscaping(progress) { progress throws(HTTPError) in
                    let context = TransferContext(head: head, body: body, progress: progress, stallTimeout: request.stallTimeout)
                    return try run(request, host: host, context: context)
                }
            }
        }
    }

    /// Sends `request` and collects the whole body. A body longer than `limit` bytes stops the
    /// transfer: the call fails with an `HTTPError` of kind `.stopped`.
    public func fetch(_ request: HTTPRequest, limit: Int) throws(HTTPError) -> (head: HTTPResponseHead, body: [UInt8]) {
        var body: [UInt8] = []
        let head = try perform(request) { chunk in
            guard body.count + chunk.count <= limit else { return false }
            body += chunk
            return true
        }
        return (head, body)
    }

    private func run(_ request: HTTPRequest, host: String, context: TransferContext) throws(HTTPError) -> HTTPResponseHead {
        curl_easy_reset(handle)
        var lists: [UnsafeMutablePointer<curl_slist>?] = []
        defer { lists.forEach { curl_slist_free_all($0) } }
        func list(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
            var list: UnsafeMutablePointer<curl_slist>?
            for line in lines { list = curl_slist_append(list, line) }
            lists.append(list)
            return list
        }
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        var failures: [CURLoption] = []
        func check(_ code: CURLcode, _ option: CURLoption) { if code != CURLE_OK { failures.append(option) } }
        check(ccurl_setopt_string(handle, CURLOPT_URL, request.url), CURLOPT_URL)
        check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), CURLOPT_PROTOCOLS_STR)
        check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), CURLOPT_NOSIGNAL)
        // No proxy from the environment (http_proxy, ALL_PROXY): a proxy would resolve the host
        // itself, past the address policy and the pin.
        check(ccurl_setopt_string(handle, CURLOPT_PROXY, ""), CURLOPT_PROXY)
        // Body chunks of up to 512 KiB instead of 16 KiB: one write and one lock per chunk.
        // A speed setting only: libcurl 7.88 refuses it on a handle reused after a failed name
        // lookup, and the request must not fail for that.
        _ = ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 512 << 10)
        check(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), CURLOPT_FOLLOWLOCATION)
        check(ccurl_setopt_string(handle, CURLOPT_USERAGENT, "dumpyard/0.1"), CURLOPT_USERAGENT)
        check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, &errorBuffer), CURLOPT_ERRORBUFFER)
        check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)), CURLOPT_CONNECTTIMEOUT_MS)
        // A stall (no byte for the stall time) is caught in the progress callback, which libcurl
        // calls about once a second even when nothing arrives: its own low-speed check averages
        // over a window and cuts several seconds late.
        if let total = request.totalTimeout { check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(total)), CURLOPT_TIMEOUT_MS) }
        check(ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, request.allowHTTP2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1)), CURLOPT_HTTP_VERSION)
        check(ccurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback), CURLOPT_WRITEFUNCTION)
        check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque), CURLOPT_WRITEDATA)
        check(ccurl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback), CURLOPT_HEADERFUNCTION)
        check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque), CURLOPT_HEADERDATA)
        check(ccurl_setopt_progress_callback(handle, CURLOPT_XFERINFOFUNCTION, progressCallback), CURLOPT_XFERINFOFUNCTION)
        check(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, opaque), CURLOPT_XFERINFODATA)
        check(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0), CURLOPT_NOPROGRESS)
        var headerLines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        if let start = request.rangeStart {
            headerLines.append("Range: bytes=\(start)-" + (request.rangeEnd.map(String.init) ?? ""))
        }
        if !headerLines.isEmpty { check(ccurl_setopt_list(handle, CURLOPT_HTTPHEADER, list(headerLines)), CURLOPT_HTTPHEADER) }
        if let address = request.pinnedAddress {
            // A pinned request goes out with its RESOLVE entry or not at all.
            guard let parsed = HTTPURL(request.url) else { throw HTTPError(kind: .other, host: host, message: "curl cannot read the URL") }
            let shown = address.contains(":") ? "[\(address)]" : address
            let entry = parsed.host.contains(":") ? "[\(parsed.host)]" : parsed.host
            check(ccurl_setopt_list(handle, CURLOPT_RESOLVE, list(["\(entry):\(parsed.port):\(shown)"])), CURLOPT_RESOLVE)
        }
        if let file = request.uploadFile {
            // The body streams from the file (an LFS object of gigabytes never sits in memory).
            let descriptor = open(file, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw HTTPError(kind: .other, host: host, message: "cannot open \(file) to send it: \(String(cString: strerror(errno)))") }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                close(descriptor)
                throw HTTPError(kind: .other, host: host, message: "cannot read \(file) to send it")
            }
            context.uploadDescriptor = descriptor
            context.uploadPrefix = request.uploadPrefix
            check(ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1), CURLOPT_UPLOAD)
            check(
                ccurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(info.st_size) + curl_off_t(request.uploadPrefix.count)),
                CURLOPT_INFILESIZE_LARGE)
            check(ccurl_setopt_data_callback(handle, CURLOPT_READFUNCTION, readCallback), CURLOPT_READFUNCTION)
            check(ccurl_setopt_pointer(handle, CURLOPT_READDATA, opaque), CURLOPT_READDATA)
        }
        defer { if context.uploadDescriptor >= 0 { close(context.uploadDescriptor) } }
        switch request.method {
        case "GET": break
        case "HEAD": check(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1), CURLOPT_NOBODY)
        default: check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), CURLOPT_CUSTOMREQUEST)
        }
        guard failures.isEmpty else { throw HTTPError(kind: .other, host: host, message: "libcurl refused options \(failures.map(\.rawValue))") }

        errorBuffer[0] = 0
        let code = request.body.withUnsafeBytes { bytes -> CURLcode in
            if request.method != "GET" && request.method != "HEAD" && !request.body.isEmpty {
                _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
            return curl_easy_perform(handle)
        }
        if code != CURLE_OK {
            // The size of the request headers sent: 0 when the connection never carried the request.
            var sent = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &sent)
            if context.stalled {
                throw HTTPError(kind: .timeout, host: host, message: "no data for \(Self.milliseconds(request.stallTimeout) / 1000) s", requestSent: sent > 0)
            }
            if context.stopped { throw HTTPError(kind: .stopped, host: host, message: "stopped", requestSent: sent > 0) }
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw HTTPError(kind: Self.kind(of: code), host: host, message: Self.redacted(message, url: request.url), requestSent: sent > 0)
        }
        return context.finalHead ?? HTTPResponseHead(status: context.status, headers: context.headers, version: context.version)
    }

    // MARK: - Helpers

    static func kind(of code: CURLcode) -> HTTPError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM: .dropped
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE: .tls
        default: .other
        }
    }

    /// libcurl's message without the URL's query (it may hold a token).
    static func redacted(_ message: String, url: String) -> String {
        guard let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return message }
        let secret = String(url[query...])
        return secret.count > 1 ? message.replacingAll(secret, with: "") : message
    }

    /// The host of an http(s) URL (no credentials, no port, no brackets).
    public static func host(of url: String) -> String {
        if let parsed = HTTPURL(url) { return parsed.host }
        // Not a URL curl reads (only for messages: such a URL is never fetched).
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return String(authority.prefix { $0 != ":" }).lowercased()
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// What libcurl's callbacks reach through their `void *`.
final class TransferContext {
    let head: (HTTPResponseHead) -> Bool
    let body: (UnsafeRawBufferPointer) -> Bool
    let progress: (UInt64) -> Bool
    var status = 0
    var version = "1.1"
    var headers: [String: String] = [:]
    var finalHead: HTTPResponseHead?
    var stopped = false
    var stalled = false
    /// The open file an upload's body is read from (-1: none), after `uploadPrefix`.
    var uploadDescriptor: Int32 = -1
    var uploadPrefix: [UInt8] = []
    var prefixSent = 0
    let stallTimeout: Duration
    private var lastBytes: UInt64 = 0
    private var lastChange = ContinuousClock.now

    init(
        head: @escaping (HTTPResponseHead) -> Bool, body: @escaping (UnsafeRawBufferPointer) -> Bool, progress: @escaping (UInt64) -> Bool,
        stallTimeout: Duration
    ) {
        self.head = head
        self.body = body
        self.progress = progress
        self.stallTimeout = stallTimeout
    }

    /// False once no byte came for the stall time.
    func checkStall(_ received: UInt64) -> Bool {
        let now = ContinuousClock.now
        if received != lastBytes {
            lastBytes = received
            lastChange = now
            return true
        }
        guard now - lastChange <= stallTimeout else {
            stalled = true
            return false
        }
        return true
    }

    /// One header line; the blank line ends a response's head (1xx heads are skipped).
    func header(_ line: String) -> Bool {
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            version = parts.first.map { String($0.dropFirst(5)) } ?? "1.1"
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            finalHead = nil
            return true
        }
        let trimmed = line.trimmed
        if trimmed.isEmpty {
            guard status >= 200 else { return true }
            let complete = HTTPResponseHead(status: status, headers: headers, version: version)
            finalHead = complete
            if !head(complete) {
                stopped = true
                return false
            }
            return true
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return true }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmed
        headers[name] = headers[name].map { $0 + "\n" + value } ?? value
        return true
    }
}

private let writeCallback: ccurl_data_callback = { data, size, count, context in
    guard let context, let data else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard transfer.body(UnsafeRawBufferPointer(start: data, count: length)) else {
        transfer.stopped = true
        return 0
    }
    return length
}

/// Reads the upload body from the context's file; a read error aborts the transfer.
private let readCallback: ccurl_data_callback = { buffer, size, count, context in
    guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    if transfer.prefixSent < transfer.uploadPrefix.count {
        let n = min(size * count, transfer.uploadPrefix.count - transfer.prefixSent)
        transfer.uploadPrefix.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + transfer.prefixSent, byteCount: n)
        }
        transfer.prefixSent += n
        return n
    }
    while true {
        let n = read(transfer.uploadDescriptor, buffer, size * count)
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { return Int(CURL_READFUNC_ABORT) }
        return n
    }
}

private let headerCallback: ccurl_data_callback = { data, size, count, context in
    guard let context, let data else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    return transfer.header(line) ? length : 0
}

private let progressCallback: ccurl_progress_callback = { context, _, received, _, sent in
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    // Bytes either way count as life (an upload receives nothing until it is done).
    guard transfer.checkStall(UInt64(max(received, 0)) + UInt64(max(sent, 0))) else { return 1 }
    guard transfer.progress(UInt64(max(received, 0))) else {
        transfer.stopped = true
        return 1
    }
    return 0
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
