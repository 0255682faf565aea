/// MEGA public file links: one `g` (get download) command to the API for the file's temporary
/// URL, size and encrypted attributes; the attributes are decrypted with the link's key for the
/// name (a wrong key shows here), and the download carries the AES-128-CTR key and counter the
/// bytes must be decrypted with. Folder links are refused.
public struct MEGAResolver: LinkResolver {
    static let apiURL = "https://g.api.mega.co.nz/cs?id=1"

    public let name = "MEGA"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return ["mega.nz", "www.mega.nz", "mega.co.nz", "www.mega.co.nz"].contains(link.host)
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let share = ShareLink(url), handles(url) else { return failure("not a MEGA link: \(ResolverRules.quotedLink(url))") }
        let link: MEGALink
        do {
            link = try MEGALink(share)
        } catch {
            switch error {
            case .folder: return .failure("MEGA folder links are not supported")
            case .notAFileLink: return failure("not a file link: \(ResolverRules.quotedLink(url))")
            case .noKey: return failure("the link has no key (the part after #)")
            case .badKey: return failure("the link's key is not 32 bytes of base64url")
            }
        }
        switch pages.count {
        case 0:
            let body = #"[{"a":"g","g":1,"p":"\#(link.handle)"}]"#
            return .fetch(PageRequest(method: "POST", url: Self.apiURL, headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
        case 1: return read(pages[0], link)
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func read(_ page: FetchedPage, _ link: MEGALink) -> ResolveStep {
        if let refused = ResolverRules.oversized(page, host: name) { return refused }
        guard page.isSuccess else { return failure("the API answered HTTP \(page.status)") }
        let answer = JSONReading.value(of: page.body)
        // Errors come as a bare number (the whole request) or a number in place of the result.
        let result = (answer as? [Any])?.first ?? answer
        if let code = JSONReading.integer(result) { return failure(MEGAErrorCode.meaning(code)) }
        guard let file = result as? [String: Any] else { return failure("the API answer is not a file description") }
        if let code = JSONReading.integer(file["e"]), code < 0 { return failure(MEGAErrorCode.meaning(code)) }
        guard let attributes = JSONReading.string(file["at"]) else { return failure("the API answer has no attributes (\"at\")") }
        let fileName: String?
        do {
            fileName = try MEGAAttributes.fileName(attributes, key: link.aesKey)
        } catch {
            switch error {
            case .notBase64: return failure("the file's attributes are not base64url blocks")
            case .wrongKey: return .failure("wrong MEGA key: the file's attributes do not decrypt with the link's key")
            }
        }
        guard let url = JSONReading.string(file["g"]), !url.isEmpty else {
            return failure("no download URL in the API answer (the file is not available for download)")
        }
        return .download(DirectDownload(
            url: url, fileName: FileNameHint.clean(fileName), size: JSONReading.size(file["s"]),
            decryption: ContentDecryption(key: link.aesKey, counter: link.counter)))
    }

    private func failure(_ reason: String) -> ResolveStep { .failure("\(name): \(reason)") }
}
