/// Rules every resolver keeps, whatever its host.
enum ResolverRules {
    /// An answer larger than this is refused: no real share page or API answer comes close.
    static let maxAnswerBytes = 4 << 20

    /// A link for a message: without credentials, query or fragment (tokens, MEGA keys), quoted.
    static func quotedLink(_ url: String) -> String { quoted(Session.shown(url)) }

    /// Text from a page put in a message: one line, printable, at most 200 characters.
    static func quoted(_ text: String) -> String {
        let line = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : Character($0) }
        let collapsed = String(line).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return collapsed.count > 200 ? String(collapsed.prefix(200)) + "…" : collapsed
    }

    /// `step`, unless it would hand out a URL that is not http(s): then a failure naming `host`.
    /// Every resolver passes its answer through here, so a hostile page cannot smuggle a
    /// `javascript:` or `file://` link out.
    static func checked(_ step: ResolveStep, host: String) -> ResolveStep {
        switch step {
        case .fetch(let request) where !ShareLink.isWeb(request.url):
            return .failure("\(host): refusing to fetch a link that is not http(s): \(quotedLink(request.url))")
        case .download(let download) where !ShareLink.isWeb(download.url):
            return .failure("\(host): the download link is not http(s): \(quotedLink(download.url))")
        default:
            return step
        }
    }

    /// The failure for a page that is too large, or nil when `page` is within bounds.
    static func oversized(_ page: FetchedPage, host: String) -> ResolveStep? {
        guard page.body.count > maxAnswerBytes else { return nil }
        return .failure("\(host): the answer from \(quotedLink(page.url)) is too large (\(page.body.count) bytes)")
    }

    /// The failure for being called with more answers than the resolver asked for.
    static func tooManyAnswers(_ count: Int, expected: Int, host: String) -> ResolveStep {
        .failure("\(host): got \(count) answer\(count == 1 ? "" : "s") to \(expected) request\(expected == 1 ? "" : "s")")
    }
}
