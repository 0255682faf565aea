import Foundation

/// MediaFire file pages (`/file/<key>/<name>/file`, `/?<key>`, `/download/<key>`): the page is
/// fetched and the link of its "Download file" button taken, from `href` or, where the page hides
/// it, from the base64 `data-scrambled-url`. Direct links (`download<N>.mediafire.com`) are not
/// handled: they are downloaded as given.
public struct MediaFireResolver: LinkResolver {
    public let name = "MediaFire"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return link.isOn("mediafire.com") && !Self.isDirectHost(link.host)
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let link = ShareLink(url), handles(url) else { return failure("not a MediaFire link: \(ResolverRules.quotedLink(url))") }
        if link.segments.first == "folder" || link.query.first?.name.hasPrefix("folder") == true {
            return failure("folder links are not supported, only links to one file")
        }
        guard let key = Self.fileKey(of: link) else { return failure("no file key in \(ResolverRules.quotedLink(url))") }
        switch pages.count {
        case 0: return .fetch(PageRequest(url: Self.pageURL(for: link, key: key)))
        case 1: return read(pages[0])
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func read(_ page: FetchedPage) -> ResolveStep {
        if let refused = ResolverRules.oversized(page, host: name) { return refused }
        if let error = ShareLink(page.url), error.segments.first == "error.php" {
            return failure("the file was removed or does not exist (error page\(error.query("errno").map { " \(ResolverRules.quoted($0))" } ?? ""))")
        }
        guard page.status != 404 else { return failure("the file does not exist (HTTP 404)") }
        guard page.isSuccess else { return failure("answered HTTP \(page.status)") }
        let buttons = HTMLDocument(page.body).tags(named: "a").filter {
            $0["id"] == "downloadButton" || ($0["aria-label"] ?? "").lowercased() == "download file"
        }
        guard !buttons.isEmpty else { return failure("no download button on the page (a removed or private file?)") }
        var refused: [String] = []
        for button in buttons {
            for candidate in [button["data-scrambled-url"].flatMap(Self.unscramble), button["href"]].compactMap({ $0 }) {
                let trimmed = candidate.trimmingCharacters(in: .whitespacesAndNewlines)
                if let direct = ShareLink(trimmed), Self.isDirectHost(direct.host) { return .download(DirectDownload(url: trimmed)) }
                if refused.count < 4 { refused.append(trimmed) }
            }
        }
        return failure("the download button has no direct link\(refused.isEmpty ? "" : ": " + ResolverRules.quoted(refused.joined(separator: " ")))")
    }

    private func failure(_ reason: String) -> ResolveStep { .failure("\(name): \(reason)") }

    /// `download1234.mediafire.com` and the like: where the bytes are.
    static func isDirectHost(_ host: String) -> Bool {
        guard host.hasSuffix(".mediafire.com") else { return false }
        let first = host.prefix { $0 != "." }
        return first.hasPrefix("download") && first.dropFirst("download".count).allSatisfy(\.isNumber)
    }

    /// The key of `/file/<key>…`, `/file_premium/<key>…`, `/download/<key>…`, `/view/<key>…` or `/?<key>`.
    static func fileKey(of link: ShareLink) -> String? {
        let segments = link.segments
        let key: String?
        if let kind = segments.first, ["file", "file_premium", "download", "view"].contains(kind), segments.count > 1 {
            key = segments[1]
        } else if segments.isEmpty, let item = link.query.first, item.value.isEmpty {
            key = item.name
        } else {
            key = nil
        }
        guard let key, (4...64).contains(key.count), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return key
    }

    /// The page to fetch: the link itself over https, its query kept only for `/?<key>`.
    static func pageURL(for link: ShareLink, key: String) -> String {
        link.segments.isEmpty ? "https://www.mediafire.com/?\(key)" : "https://www.mediafire.com\(link.encodedPath)"
    }

    /// The URL in a `data-scrambled-url` (plain base64 of the URL).
    static func unscramble(_ value: String) -> String? {
        Base64Decoding.standard(value).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
