/// The share-link resolvers dumpyard knows, and the choice of one for a link.
public enum LinkResolvers {
    /// Every resolver, each for its own hosts (no two handle the same link).
    public static let all: [any LinkResolver] = [
        XiaomiOTAResolver(), GoogleDriveResolver(), MediaFireResolver(), PixeldrainResolver(), MEGAResolver(),
        SourceForgeResolver(),
    ]

    /// The resolver for `url`, or nil when its host needs none (the link is downloaded as given).
    public static func resolver(for url: String) -> (any LinkResolver)? {
        all.first { $0.handles(url) }
    }
}
