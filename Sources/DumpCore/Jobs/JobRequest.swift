/// What a queued job asks for: the firmware's location and the options of `/dump` and
/// `dumpyard submit` (alt extractor, force, private). Stored as the job's JSON payload.
public struct JobRequest: Sendable, Hashable, Codable {
    /// `http(s)://…` or `file:///…`.
    public var url: String
    public var alt: Bool
    public var force: Bool
    public var isPrivate: Bool
    /// Who asked (`cli`, a Telegram user id, …).
    public var requestedBy: String

    public init(url: String, alt: Bool = false, force: Bool = false, isPrivate: Bool = false, requestedBy: String = "cli") {
        self.url = url
        self.alt = alt
        self.force = force
        self.isPrivate = isPrivate
        self.requestedBy = requestedBy
    }

    enum CodingKeys: String, CodingKey {
        case url, alt, force
        case isPrivate = "private"
        case requestedBy = "requested_by"
    }

    /// The URL as it may be shown or logged: credentials and query dropped, control characters
    /// escaped, and nothing at all for a private job.
    public var displayURL: String {
        if isPrivate { return "(private)" }
        return Self.escapingControls(Self.withoutSecrets(url))
    }

    /// The shown URL when it may serve as a link: it leads to the host the job downloads from,
    /// and nothing of its path was hidden. Nil for a private job.
    public var shownLink: String? {
        let shown = displayURL
        guard !isPrivate, !shown.hasSuffix(Self.hiddenPath), FirmwareURL.host(of: shown) == FirmwareURL.host(of: url) else { return nil }
        return shown
    }

    /// What stands for a path `withoutSecrets` hides.
    static let hiddenPath = "/…"

    /// `url` without its query, fragment and anything that looks like credentials: `user:pass@`
    /// after the scheme, also when the password holds a `/` or `?`, or when there is no scheme.
    static func withoutSecrets(_ url: String) -> String {
        let characters = Array(url)
        let schemeEnd = (0..<max(characters.count - 2, 0)).first { characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/" }
        let start = schemeEnd.map { $0 + 3 } ?? 0
        var rest = Array(characters[start...])
        // The last "@" before the path ends the credentials. One later in the string does too
        // when what precedes it looks like user:password (a "/" or "?" in the password). After
        // a real host:port (a dotted name, an address, localhost), the "@" is in the path: the
        // path is hidden then, as it may be a password all the same, and the host shown is the
        // one the URL reaches.
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            rest = Array(rest[(at + 1)...])
        } else if let colon = authority.firstIndex(of: ":"), let at = rest.lastIndex(of: "@") {
            let host = String(authority[..<colon]).lowercased()
            let port = authority[(colon + 1)...]
            let isHostAndPort = !port.isEmpty && port.allSatisfy { $0.isASCII && $0.isNumber } && (host.contains(".") || host == "localhost")
            rest = isHostAndPort ? Array(authority) + Array(Self.hiddenPath) : Array(rest[(at + 1)...])
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = Array(rest[..<cut]) }
        return String(characters[..<start]) + String(rest)
    }

    /// Control characters (newlines, escape sequences) shown as `\u{…}`, so a URL cannot forge
    /// log lines or drive a terminal.
    public static func escapingControls(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` (an error message) with every trace of a private job's source replaced by
    /// "(private)": the URL, its path, its file name and its host. Other jobs' text is unchanged.
    public func redacting(_ text: String) -> String {
        guard isPrivate else { return text }
        let bare = Self.withoutSecrets(url)
        var traces = [url, bare]
        let afterScheme = bare.split(separator: "/", omittingEmptySubsequences: false)
        if bare.hasPrefix("file://") {
            traces.append(String(bare.dropFirst("file://".count)))
        } else if bare.contains("://"), afterScheme.count > 2 {
            let authority = afterScheme[2]
            traces.append(String(authority))  // host[:port]
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                traces.append(String(authority[authority.index(after: authority.startIndex)..<close]))  // an IPv6 literal, bare
            } else {
                traces.append(String(authority.split(separator: ":").first ?? ""))
            }
            traces.append("/" + afterScheme.dropFirst(3).joined(separator: "/"))
        } else if bare.hasPrefix("/") {
            traces.append(bare)
        }
        // The file name alone, when it looks like one (a bare "404" would hide the status too).
        if let name = bare.split(separator: "/").last, name.count > 3, name.contains(".") { traces.append(String(name)) }
        var result = text
        for trace in Set(traces.filter { $0.count > 1 }).sorted(by: { $0.count > $1.count }) {
            result = result.replacingEvery(trace, with: "(private)")
        }
        return result
    }
}

extension String {
    /// Every occurrence of `target` replaced, ASCII letters compared without case (host names are
    /// shown lower-cased); no Foundation in this module.
    func replacingEvery(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8).map(Self.asciiLower)
        guard !needle.isEmpty else { return self }
        let bytes = Array(utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if index + needle.count <= bytes.count, needle.indices.allSatisfy({ Self.asciiLower(bytes[index + $0]) == needle[$0] }) {
                result += replacement.utf8
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}
