import Foundation

/// Reads the HTML Google Drive sends instead of a file: the virus-scan confirmation form, the
/// older "Download anyway" link, or an error page (quota exceeded, no access, not found).
enum GoogleDriveConfirmation {
    /// The download the page leads to, or why it leads to none; `html` is the page parsed.
    static func step(for page: FetchedPage, html: HTMLDocument, host: String) -> ResolveStep {
        if let form = html.tags(named: "form").first(where: { $0["id"] == "download-form" || $0["id"] == "downloadForm" }) {
            return formStep(form, in: html, page: page, host: host)
        }
        if let link = html.tags(named: "a").first(where: { $0["id"] == "uc-download-link" }), let href = link["href"] {
            guard let url = googleURL(href, base: page.url) else {
                return .failure("\(host): the \"Download anyway\" link leads off Google: \(ResolverRules.quotedLink(href))")
            }
            return .download(DirectDownload(url: url, headers: cookieHeader(page)))
        }
        return .failure("\(host): \(reason(in: html))")
    }

    private static func formStep(_ form: HTMLDocument.Tag, in html: HTMLDocument, page: FetchedPage, host: String) -> ResolveStep {
        guard let action = form["action"], let base = googleURL(action, base: page.url) else {
            return .failure("\(host): the download form has no action on a Google host: \(ResolverRules.quotedLink(form["action"] ?? ""))")
        }
        let inputs = html.tags.drop { $0.end <= form.end }.prefix { $0.name != "/form" && $0.name != "form" }.filter { $0.name == "input" }
        let fields = inputs.compactMap { input -> (String, String)? in
            guard (input["type"] ?? "").lowercased() == "hidden", let name = input["name"], !name.isEmpty else { return nil }
            return (name, input["value"] ?? "")
        }
        guard fields.contains(where: { $0.0 == "id" }) || ShareLink(base)?.query("id") != nil else {
            return .failure("\(host): the download form names no file (no hidden \"id\" input)")
        }
        let separator = base.contains("?") ? "&" : "?"
        let url = fields.isEmpty ? base : base + separator + QueryEncoding.encode(fields)
        return .download(DirectDownload(url: url, headers: cookieHeader(page)))
    }

    /// Google's reason on an error page (quota exceeded, no access…), nil when the page gives none.
    static func errorReason(in html: HTMLDocument) -> String? {
        let title = html.title ?? ""
        let caption = html.tags.first { $0.hasClass("uc-error-subcaption") }.map { html.text(after: $0) }
            ?? html.tags.first { $0.hasClass("uc-error-caption") }.map { html.text(after: $0) }
        if title.localizedCaseInsensitiveContains("quota exceeded") {
            return "download quota exceeded" + (caption.map { ": " + ResolverRules.quoted($0) } ?? "")
        }
        if let caption, !caption.isEmpty { return ResolverRules.quoted(caption) }
        return nil
    }

    /// Why a page without the form is not the file.
    private static func reason(in html: HTMLDocument) -> String {
        if let reason = errorReason(in: html) { return reason }
        let title = html.title ?? ""
        if title.localizedCaseInsensitiveContains("sign in") || title.localizedCaseInsensitiveContains("sign-in") {
            return "no access: the file is not shared with \"anyone with the link\""
        }
        return "the answer is a web page without the download form" + (title.isEmpty ? "" : " (\"\(ResolverRules.quoted(title))\")")
    }

    /// `href` made absolute against `base`, if it is http(s) on a Google host.
    private static func googleURL(_ href: String, base: String) -> String? {
        guard let baseURL = URL(string: base), let url = URL(string: href, relativeTo: baseURL)?.absoluteString,
            let link = ShareLink(url),
            link.isOn("google.com") || link.isOn("googleusercontent.com")
        else { return nil }
        return url
    }

    /// The cookies the page set, as one `Cookie` header (none when it set none).
    private static func cookieHeader(_ page: FetchedPage) -> [String: String] {
        let pairs = (page.header("set-cookie") ?? "").split(separator: "\n").compactMap { line -> String? in
            let pair = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard pair.contains("="), !pair.hasPrefix("="), pair.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else { return nil }
            return pair
        }
        return pairs.isEmpty ? [:] : ["Cookie": pairs.joined(separator: "; ")]
    }
}
