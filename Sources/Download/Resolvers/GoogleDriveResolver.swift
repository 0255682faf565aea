/// Google Drive file links (`/file/d/<id>/view`, `open?id=`, `uc?id=`, `drive.usercontent…/download?id=`):
/// one GET of the usercontent download URL. The file itself → that URL; the "can't scan this file
/// for viruses" page → its `download-form` with the hidden inputs (and the cookies it set); an
/// error page → a failure quoting Google's reason.
public struct GoogleDriveResolver: LinkResolver {
    static let hosts: Set<String> = ["drive.google.com", "docs.google.com", "drive.usercontent.google.com"]

    public let name = "Google Drive"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return Self.hosts.contains(link.host)
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let link = ShareLink(url), handles(url) else { return failure("not a Google Drive link: \(ResolverRules.quotedLink(url))") }
        if link.segments.contains("folders") { return failure("folder links are not supported, only links to one file") }
        guard let id = Self.fileID(of: link) else { return failure("no file id in \(ResolverRules.quotedLink(url))") }
        var downloadURL = "https://drive.usercontent.google.com/download?id=\(id)&export=download"
        if let key = link.query("resourcekey"), Self.isToken(key) { downloadURL += "&resourcekey=\(key)" }
        switch pages.count {
        case 0: return .fetch(PageRequest(url: downloadURL))
        case 1: return read(pages[0], requested: downloadURL)
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func read(_ page: FetchedPage, requested: String) -> ResolveStep {
        let disposition = page.header("content-disposition") ?? ""
        // The file itself (small files come at once): its size is no concern of the resolver's.
        if page.isSuccess, disposition.lowercased().contains("attachment") || !page.isHTML {
            return .download(DirectDownload(url: requested, fileName: FileNameHint.clean(ContentDisposition.fileName(disposition))))
        }
        if let refused = ResolverRules.oversized(page, host: name) { return refused }
        let html = page.isHTML ? HTMLDocument(page.body) : nil
        // An error page says why in its own words, whatever its status.
        if let html, let reason = GoogleDriveConfirmation.errorReason(in: html) { return failure(reason) }
        if ShareLink(page.url)?.host == "accounts.google.com" || page.status == 401 || page.status == 403 {
            return failure("no access: the file is not shared with \"anyone with the link\" (HTTP \(page.status))")
        }
        switch page.status {
        case 404: return failure("the file does not exist or was deleted (HTTP 404)")
        case 429: return failure("download quota exceeded, too many downloads of this file recently (HTTP 429)")
        case 200..<300: break
        default: return failure("answered HTTP \(page.status)")
        }
        guard let html else { return failure("answered HTTP \(page.status) without a page") }
        return GoogleDriveConfirmation.step(for: page, html: html, host: name)
    }

    private func failure(_ reason: String) -> ResolveStep { .failure("\(name): \(reason)") }

    /// The file id of a Drive link, if it has a well-formed one.
    static func fileID(of link: ShareLink) -> String? {
        let segments = link.segments
        if segments.first == "file", let d = segments.firstIndex(of: "d"), d + 1 < segments.count {
            return isToken(segments[d + 1]) ? segments[d + 1] : nil
        }
        return link.query("id").flatMap { isToken($0) ? $0 : nil }
    }

    /// Drive ids and resource keys: 10–200 letters, digits, `-` and `_`.
    static func isToken(_ s: String) -> Bool {
        (10...200).contains(s.utf8.count) && s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x5f
        }
    }
}
