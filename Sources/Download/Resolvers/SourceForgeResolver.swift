import Foundation

/// SourceForge file links (`/projects/<p>/files/<path>[/download]`) go straight to
/// `downloads.sourceforge.net/project/<p>/<path>`, which redirects to a mirror. Only
/// `/files/latest/download`, whose file is not in the link, is fetched: its page's
/// `meta http-equiv="refresh"` (or a link to the downloads host) gives the file.
public struct SourceForgeResolver: LinkResolver {
    public let name = "SourceForge"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return (link.host == "sourceforge.net" || link.host == "www.sourceforge.net") && link.segments.first == "projects"
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let link = ShareLink(url), handles(url) else { return failure("not a SourceForge project link: \(ResolverRules.quotedLink(url))") }
        // Percent-encoded segments, so names with spaces or "#" stay as the link wrote them.
        let encoded = link.encodedPath.split(separator: "/").map(String.init)
        guard encoded.count >= 2, Self.isProjectName(encoded[1]) else { return failure("no project name in \(ResolverRules.quotedLink(url))") }
        guard encoded.count >= 4, encoded[2] == "files" else { return failure("the link is a project page, not a file: \(ResolverRules.quotedLink(url))") }
        var path = Array(encoded[3...])
        if path.last == "download" { path.removeLast() }
        guard !path.isEmpty, !link.segments.contains("."), !link.segments.contains("..") else {
            return failure("the link names no file: \(ResolverRules.quotedLink(url))")
        }
        if path == ["latest"] { return latest(link, pages) }
        guard pages.isEmpty else { return ResolverRules.tooManyAnswers(pages.count, expected: 0, host: name) }
        let fileName = link.segments.last == "download" ? link.segments.dropLast().last : link.segments.last
        return .download(DirectDownload(
            url: "https://downloads.sourceforge.net/project/\(encoded[1])/\(path.joined(separator: "/"))",
            fileName: FileNameHint.clean(fileName)))
    }

    private func latest(_ link: ShareLink, _ pages: [FetchedPage]) -> ResolveStep {
        switch pages.count {
        case 0:
            let page = link.encodedPath.hasSuffix("/download") ? link.encodedPath : link.encodedPath + "/download"
            return .fetch(PageRequest(url: "https://sourceforge.net" + page))
        case 1:
            let page = pages[0]
            if let refused = ResolverRules.oversized(page, host: name) { return refused }
            guard page.status != 404 else { return failure("the project has no latest file (HTTP 404)") }
            guard page.isSuccess else { return failure("answered HTTP \(page.status)") }
            guard let direct = Self.directLink(in: HTMLDocument(page.body)) else {
                return failure("the download page has no link to downloads.sourceforge.net")
            }
            return .download(DirectDownload(url: direct))
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func failure(_ reason: String) -> ResolveStep { .failure("\(name): \(reason)") }

    /// The refresh target of the page, else its first link, on a SourceForge download host.
    static func directLink(in html: HTMLDocument) -> String? {
        let refreshes = html.tags(named: "meta").filter { ($0["http-equiv"] ?? "").lowercased() == "refresh" }.compactMap { meta -> String? in
            guard let content = meta["content"], let range = content.range(of: "url=", options: .caseInsensitive) else { return nil }
            return String(content[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
        }
        let links = html.tags(named: "a").compactMap { $0["href"] }
        return (refreshes + links).first { candidate in
            guard let link = ShareLink(candidate) else { return false }
            return link.host == "downloads.sourceforge.net" || link.host.hasSuffix(".dl.sourceforge.net")
        }
    }

    /// SourceForge project (unix) names: letters, digits, `-`, `_`, `.`.
    static func isProjectName(_ s: String) -> Bool {
        (1...100).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
            && s != "." && s != ".."
    }
}
