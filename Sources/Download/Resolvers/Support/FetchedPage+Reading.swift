import Foundation

extension FetchedPage {
    /// 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The header `name` (lower-case), if present.
    func header(_ name: String) -> String? { headers[name] }

    /// The media type without parameters, lower-cased ("text/html").
    var mediaType: String {
        (header("content-type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// True when the answer is a web page: said so, or it starts like one.
    var isHTML: Bool {
        if mediaType == "text/html" || mediaType == "application/xhtml+xml" { return true }
        guard mediaType.isEmpty else { return false }
        let start = String(decoding: body.prefix(512), as: UTF8.self).lowercased()
        return start.contains("<!doctype html") || start.contains("<html")
    }

    /// The body as text (invalid UTF-8 replaced).
    var text: String { String(decoding: body, as: UTF8.self) }
}
