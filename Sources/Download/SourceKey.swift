internal import Crypto
internal import Foundation

/// The dedup key of a firmware URL: the SHA-256 of its normalised form (scheme and host
/// lower-cased, default port, credentials and fragment dropped; path and query kept). Only the
/// digest is stored, so no URL — private or tokened — sits in the index.
public enum SourceKey {
    /// The normalised URL, or nil for a URL that is not http(s).
    public static func normalized(_ url: String) -> String? {
        guard var components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        components.scheme = scheme
        components.host = host
        components.user = nil
        components.password = nil
        components.fragment = nil
        if components.port == (scheme == "https" ? 443 : 80) { components.port = nil }
        if components.percentEncodedPath.isEmpty { components.percentEncodedPath = "/" }
        return components.string
    }

    /// The key of `url` (hex SHA-256 of the normalised form), or nil for a non-http(s) URL.
    public static func key(_ url: String) -> String? {
        guard let normalized = normalized(url) else { return nil }
        let digest = StreamingDigest(.sha256)
        digest.update(Array(normalized.utf8))
        return digest.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
