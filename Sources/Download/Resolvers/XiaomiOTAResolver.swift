/// Xiaomi's OTA hosts (`bigota.d.miui.com`, `hugeota.d.miui.com`, …): the same path is tried on
/// the mirrors that serve it best, with a HEAD each, in the order today's bot uses; the first that
/// answers 2xx/3xx wins. Links already on `cdnorg.d.miui.com` or the Aliyun bucket are used as given.
public struct XiaomiOTAResolver: LinkResolver {
    /// Xiaomi's Aliyun OSS bucket in Singapore.
    static let bucketHost = "bkt-sgp-miui-ota-update-alisgp.oss-ap-southeast-1.aliyuncs.com"
    /// The mirrors tried, in order, before the link's own host.
    static let mirrorHosts = ["cdnorg.d.miui.com", bucketHost, "bn.d.miui.com"]

    public let name = "Xiaomi OTA"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return link.isOn("d.miui.com") || link.host == Self.bucketHost
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let link = ShareLink(url), handles(url) else { return .failure("\(name): not a Xiaomi OTA link: \(ResolverRules.quotedLink(url))") }
        guard !link.segments.isEmpty, !link.segments.contains(".."), !link.segments.contains(".") else {
            return .failure("\(name): the link names no file: \(ResolverRules.quotedLink(url))")
        }
        if link.host == "cdnorg.d.miui.com" || link.host == Self.bucketHost {
            return pages.isEmpty ? .download(DirectDownload(url: url)) : ResolverRules.tooManyAnswers(pages.count, expected: 0, host: name)
        }
        let candidates = Self.candidates(for: link)
        guard pages.count <= candidates.count else { return ResolverRules.tooManyAnswers(pages.count, expected: candidates.count, host: name) }
        for (index, page) in pages.enumerated() where (200..<400).contains(page.status) {
            guard index == pages.count - 1 else { return ResolverRules.tooManyAnswers(pages.count, expected: index + 1, host: name) }
            return .download(DirectDownload(url: candidates[index]))
        }
        if pages.count < candidates.count { return .fetch(PageRequest(method: "HEAD", url: candidates[pages.count])) }
        let tried = zip(candidates, pages).map { "\(ShareLink($0)?.host ?? $0) \($1.status)" }.joined(separator: ", ")
        return .failure("\(name): no mirror has \(link.segments.last ?? link.encodedPath) (\(tried))")
    }

    /// The mirrors' URLs for the link's path, then the link itself, without its query.
    static func candidates(for link: ShareLink) -> [String] {
        let own = "\(link.scheme)://\(link.host)\(link.encodedPath)"
        let mirrors = mirrorHosts.filter { $0 != link.host }.map { "https://\($0)\(link.encodedPath)" }
        return mirrors + [own]
    }
}
