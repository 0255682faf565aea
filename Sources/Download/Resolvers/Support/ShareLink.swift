import Foundation

/// An http(s) link taken apart for matching: lower-cased host, path segments, query, fragment.
struct ShareLink {
    /// "http" or "https", lower-cased.
    var scheme: String
    /// Lower-cased, without a trailing dot.
    var host: String
    /// The path as written (percent-encoded), "" or starting with "/".
    var encodedPath: String
    /// Percent-decoded path segments, empty ones dropped.
    var segments: [String]
    /// Query items in order; a bare `?key` is an item with an empty value.
    var query: [(name: String, value: String)]
    /// The fragment as written, without "#".
    var fragment: String?

    /// Nil unless `url` is an absolute http or https URL with a host.
    init?(_ url: String) {
        guard url.utf8.count <= 8192, let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.hasSuffix(".") { host.removeLast() }
        self.scheme = scheme
        self.host = host
        encodedPath = components.percentEncodedPath
        segments = components.path.split(separator: "/").map(String.init)
        query = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        fragment = components.fragment
    }

    /// The first value of query item `name`.
    func query(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// True when the host is `domain` or one of its subdomains.
    func isOn(_ domain: String) -> Bool { host == domain || host.hasSuffix("." + domain) }

    /// True for an absolute http or https URL with a host: the only URLs resolvers hand out.
    static func isWeb(_ url: String) -> Bool { ShareLink(url) != nil }
}
