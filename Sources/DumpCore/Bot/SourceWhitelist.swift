/// The hosts whose firmware links may be published in the channel post: a URL's host matches an
/// entry when it equals it or is a subdomain of it. Entries may be written as hosts, URLs or with
/// a trailing `/` (the existing bot's list has them so, and its comparison never matched).
public struct SourceWhitelist: Sendable, Hashable {
    /// The entries as bare lower-cased hosts.
    public let hosts: [String]

    public init(_ entries: some Sequence<String>) {
        hosts = entries.compactMap(Self.host(ofEntry:))
    }

    /// The entries of a whitelist file: one per line, `#` comments and blank lines skipped.
    public init(fileText: String) {
        self.init(fileText.split(whereSeparator: \.isNewline).map { String($0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]) })
    }

    /// True when `url` is an http(s) URL whose host is an entry or a subdomain of one.
    public func allows(_ url: String) -> Bool {
        guard let host = FirmwareURL.host(of: url)?.trimmingDots() else { return false }
        return hosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    private static func host(ofEntry entry: String) -> String? {
        var text = entry.trimmingSpaces().lowercased()
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 { text = String(parts[1]) }
        text = String(text.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if let at = text.lastIndex(of: "@") { text = String(text[text.index(after: at)...]) }
        if !text.hasPrefix("["), let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        if text.hasPrefix("*.") { text.removeFirst(2) }
        text = text.trimmingDots()
        return text.isEmpty || text.contains(" ") ? nil : text
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    fileprivate func trimmingDots() -> String {
        String(drop { $0 == "." }.reversed().drop { $0 == "." }.reversed())
    }
}
