/// Pixeldrain: a file (`/u/<id>`) is looked up with `/api/file/<id>/info` for its name and size,
/// then downloaded from `/api/file/<id>?download`; a list (`/l/<id>`) is read from
/// `/api/list/<id>` and one file of it chosen: the `#item=N` one (counted from 0), else the only
/// one, else the largest. API links (`/api/file/<id>`) and directories (`/d/<path>`, as
/// `/api/filesystem/<path>`) are downloaded without asking.
public struct PixeldrainResolver: LinkResolver {
    public let name = "Pixeldrain"

    public init() {}

    public func handles(_ url: String) -> Bool {
        guard let link = ShareLink(url) else { return false }
        return link.host == "pixeldrain.com" || link.host == "www.pixeldrain.com"
    }

    public func next(for url: String, after pages: [FetchedPage]) -> ResolveStep {
        ResolverRules.checked(resolve(url, pages), host: name)
    }

    private func resolve(_ url: String, _ pages: [FetchedPage]) -> ResolveStep {
        guard let link = ShareLink(url), handles(url) else { return failure("not a Pixeldrain link: \(ResolverRules.quotedLink(url))") }
        let s = link.segments
        switch (s.first, s.count) {
        case ("u", 2...):
            guard let id = Self.id(s[1]) else { return failure("bad file id in \(ResolverRules.quotedLink(url))") }
            return file(id, pages)
        case ("l", 2...):
            guard let id = Self.id(s[1]) else { return failure("bad list id in \(ResolverRules.quotedLink(url))") }
            let item = Self.item(in: link.fragment)
            if link.fragment?.hasPrefix("item=") == true, item == nil {
                return failure("bad item number in \(ResolverRules.quotedLink(url))")
            }
            return list(id, item: item, pages)
        case ("api", 3...) where s[1] == "file" || s[1] == "filesystem":
            return pages.isEmpty ? .download(DirectDownload(url: url)) : ResolverRules.tooManyAnswers(pages.count, expected: 0, host: name)
        case ("d", 2...):
            guard pages.isEmpty else { return ResolverRules.tooManyAnswers(pages.count, expected: 0, host: name) }
            let rest = link.encodedPath.dropFirst("/d".count)
            return .download(DirectDownload(url: "https://pixeldrain.com/api/filesystem\(rest)"))
        default:
            return failure("not a file or list link: \(ResolverRules.quotedLink(url))")
        }
    }

    private func file(_ id: String, _ pages: [FetchedPage]) -> ResolveStep {
        switch pages.count {
        case 0: return .fetch(PageRequest(url: "https://pixeldrain.com/api/file/\(id)/info"))
        case 1:
            if let refused = answerProblem(pages[0], what: "file \(id)") { return refused }
            guard let info = JSONReading.value(of: pages[0].body) as? [String: Any] else {
                return failure("the file info for \(id) is not a JSON object")
            }
            return .download(download(id, name: JSONReading.string(info["name"]), size: JSONReading.size(info["size"])))
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func list(_ id: String, item: Int?, _ pages: [FetchedPage]) -> ResolveStep {
        switch pages.count {
        case 0: return .fetch(PageRequest(url: "https://pixeldrain.com/api/list/\(id)"))
        case 1:
            if let refused = answerProblem(pages[0], what: "list \(id)") { return refused }
            guard let answer = JSONReading.value(of: pages[0].body) as? [String: Any], let entries = answer["files"] as? [Any] else {
                return failure("the list \(id) answer has no \"files\" array")
            }
            let files = entries.compactMap { entry -> (id: String, name: String?, size: UInt64)? in
                guard let object = entry as? [String: Any], let fid = JSONReading.string(object["id"]).flatMap(Self.id) else { return nil }
                return (fid, JSONReading.string(object["name"]), JSONReading.size(object["size"]) ?? 0)
            }
            guard files.count == entries.count else { return failure("the list \(id) has an entry without a valid file id") }
            guard !files.isEmpty else { return failure("the list \(id) is empty") }
            let chosen: (id: String, name: String?, size: UInt64)
            if let item {
                guard item < files.count else { return failure("the link asks for item \(item) but the list \(id) has \(files.count) files (counted from 0)") }
                chosen = files[item]
            } else {
                // The largest; the first of equals (max(by:) would give the last).
                chosen = files.dropFirst().reduce(files[0]) { $1.size > $0.size ? $1 : $0 }
            }
            return .download(download(chosen.id, name: chosen.name, size: chosen.size))
        default: return ResolverRules.tooManyAnswers(pages.count, expected: 1, host: name)
        }
    }

    private func download(_ id: String, name: String?, size: UInt64?) -> DirectDownload {
        DirectDownload(url: "https://pixeldrain.com/api/file/\(id)?download", fileName: FileNameHint.clean(name), size: size)
    }

    /// A failure for an answer that is too large, an API error or an HTTP error; nil when fine.
    private func answerProblem(_ page: FetchedPage, what: String) -> ResolveStep? {
        if let refused = ResolverRules.oversized(page, host: name) { return refused }
        if let object = JSONReading.value(of: page.body) as? [String: Any], JSONReading.bool(object["success"]) == false {
            let value = JSONReading.string(object["value"]) ?? "error"
            let message = JSONReading.string(object["message"]).map { ": " + ResolverRules.quoted($0) } ?? ""
            return failure("\(what): \(ResolverRules.quoted(value))\(message) (HTTP \(page.status))")
        }
        if page.status == 404 { return failure("\(what) does not exist (HTTP 404)") }
        return page.isSuccess ? nil : failure("\(what): answered HTTP \(page.status)")
    }

    private func failure(_ reason: String) -> ResolveStep { .failure("\(name): \(reason)") }

    /// A Pixeldrain id: 1–64 ASCII letters and digits.
    static func id(_ s: String) -> String? {
        (1...64).contains(s.count) && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? s : nil
    }

    /// N of an `item=N` fragment.
    static func item(in fragment: String?) -> Int? {
        guard let fragment, fragment.hasPrefix("item=") else { return nil }
        let digits = fragment.dropFirst("item=".count).prefix { $0 != "&" }
        guard (1...6).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}
