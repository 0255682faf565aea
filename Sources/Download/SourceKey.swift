internal import Crypto
internal import DumpCore
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
        components.fragment = fileSelector(host: host, path: components.path, fragment: components.fragment)
        if components.port == (scheme == "https" ? 443 : 80) { components.port = nil }
        if components.percentEncodedPath.isEmpty { components.percentEncodedPath = "/" }
        return components.string
    }

    /// The part of a fragment that picks the file, kept in the key: an old MEGA link's `!handle`
    /// (`#!handle!key`; the key is dropped: it decrypts, it does not choose) and a Pixeldrain
    /// list's `item=N`. Any other fragment never reaches the server and is dropped.
    static func fileSelector(host: String, path: String, fragment: String?) -> String? {
        guard let fragment, !fragment.isEmpty else { return nil }
        if host == "mega.nz" || host == "mega.co.nz" || host.hasSuffix(".mega.nz") || host.hasSuffix(".mega.co.nz") {
            let fields = fragment.split(separator: "!", omittingEmptySubsequences: false)
            // "!handle!key" (file) or "F!handle!key" (folder).
            guard fields.count >= 2, fields[0].isEmpty || fields[0] == "F" else { return nil }
            return fields[0] + "!" + fields[1]
        }
        if host == "pixeldrain.com" || host.hasSuffix(".pixeldrain.com"), path.hasPrefix("/l/") {
            return fragment.split(separator: "&").first { $0.hasPrefix("item=") }.map(String.init)
        }
        return nil
    }

    /// The key of `url` (hex SHA-256 of the normalised form), or nil for a non-http(s) URL.
    public static func key(_ url: String) -> String? {
        guard let normalized = normalized(url) else { return nil }
        let digest = StreamingDigest(.sha256)
        digest.update(Array(normalized.utf8))
        return Hex.encode(digest.finalize())
    }
}
