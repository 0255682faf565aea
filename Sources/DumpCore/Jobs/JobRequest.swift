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

    /// The URL as it may be shown or logged: credentials and query dropped, and nothing at all
    /// for a private job.
    public var displayURL: String {
        if isPrivate { return "(private)" }
        var shown = url
        if let query = shown.firstIndex(where: { $0 == "?" || $0 == "#" }) { shown = String(shown[..<query]) }
        // user:password@ after the scheme, before the first slash of the path.
        let characters = Array(shown)
        guard let colon = (0..<max(characters.count - 2, 0)).first(where: { characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/" }) else {
            return shown
        }
        let authority = characters[(colon + 3)...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return shown }
        return String(characters[..<(colon + 3)]) + String(characters[(at + 1)...])
    }
}
