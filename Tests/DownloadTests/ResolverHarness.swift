import Download
import DumpTestSupport
import Foundation
import Testing

/// Plays the downloader for a resolver: asks it, answers each request, appends the answer, and
/// stops at a download, a failure, or after 8 rounds (more than the downloader's 6 allow).
struct Conversation {
    /// The requests the resolver made, in order.
    var requests: [PageRequest] = []
    /// The last step: `.download` or `.failure` (`.fetch` only if the resolver never stopped).
    var result: ResolveStep

    init(_ resolver: any LinkResolver, _ url: String, answer: (PageRequest) -> FetchedPage) {
        var pages: [FetchedPage] = []
        var step = resolver.next(for: url, after: pages)
        while case .fetch(let request) = step, requests.count < 8 {
            requests.append(request)
            pages.append(answer(request))
            step = resolver.next(for: url, after: pages)
        }
        result = step
    }

    /// The same answer to every request.
    init(_ resolver: any LinkResolver, _ url: String, always page: FetchedPage) {
        self.init(resolver, url) { _ in page }
    }

    /// The download, if the conversation ended with one.
    var download: DirectDownload? {
        if case .download(let d) = result { return d }
        return nil
    }

    /// The failure message, if the conversation ended with one.
    var failure: String? {
        if case .failure(let message) = result { return message }
        return nil
    }
}

/// Saved synthetic answers under `fixtures/http/resolvers/<host>/`.
enum SavedAnswer {
    /// The bytes of `host/name`.
    static func body(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("http/resolvers/" + path))))
    }

    /// An HTML page answer.
    static func html(_ path: String, status: Int = 200, url: String, headers: [String: String] = [:]) throws -> FetchedPage {
        FetchedPage(status: status, url: url, headers: ["content-type": "text/html; charset=utf-8"].merging(headers) { $1 }, body: try body(path))
    }

    /// A JSON answer.
    static func json(_ path: String, status: Int = 200, url: String) throws -> FetchedPage {
        FetchedPage(status: status, url: url, headers: ["content-type": "application/json"], body: try body(path))
    }

    /// An answer of `text` with the given status and content type.
    static func text(_ text: String, status: Int = 200, url: String, type: String = "text/html") -> FetchedPage {
        FetchedPage(status: status, url: url, headers: ["content-type": type], body: Array(text.utf8))
    }

    /// A 5 MiB HTML page: over every resolver's limit.
    static func huge(url: String) -> FetchedPage {
        FetchedPage(status: 200, url: url, headers: ["content-type": "text/html"], body: Array("<html><body>".utf8) + [UInt8](repeating: 0x61, count: 5 << 20))
    }
}

/// Asserts that a step hands out only http(s) URLs.
func expectWeb(_ step: ResolveStep, sourceLocation: SourceLocation = #_sourceLocation) {
    switch step {
    case .fetch(let request): #expect(request.url.hasPrefix("https://") || request.url.hasPrefix("http://"), sourceLocation: sourceLocation)
    case .download(let download): #expect(download.url.hasPrefix("https://") || download.url.hasPrefix("http://"), sourceLocation: sourceLocation)
    case .failure: break
    }
}
