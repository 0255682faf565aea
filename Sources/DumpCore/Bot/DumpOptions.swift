/// The option letters of `/dump`, `/accept` and the review card: `a` alternative extractor,
/// `f` force (dump again), `p` private (the URL is never shown), `b` blacklist (the firmware link
/// is never published).
public struct DumpOptions: Sendable, Hashable, Codable {
    public var alt: Bool
    public var force: Bool
    public var isPrivate: Bool
    public var blacklist: Bool

    public init(alt: Bool = false, force: Bool = false, isPrivate: Bool = false, blacklist: Bool = false) {
        self.alt = alt
        self.force = force
        self.isPrivate = isPrivate
        self.blacklist = blacklist
    }

    /// The letters found anywhere in `words`, in any grouping (`af`, `a f`), as the existing bot
    /// reads them; other characters are ignored.
    public init(letters words: some Sequence<some StringProtocol>) {
        self.init()
        for character in words.joined().lowercased() {
            switch character {
            case "a": alt = true
            case "f": force = true
            case "p": isPrivate = true
            case "b": blacklist = true
            default: break
            }
        }
    }

    /// The set options as letters, in the order `afpb` (empty when none is set).
    public var letters: String {
        [(alt, "a"), (force, "f"), (isPrivate, "p"), (blacklist, "b")].filter(\.0).map(\.1).joined()
    }

    /// The set options as words for a message ("Alt extractor", …).
    public var labels: [String] {
        [(alt, "Alt extractor"), (force, "Force"), (isPrivate, "Private"), (blacklist, "Blacklist")].filter(\.0).map(\.1)
    }
}
