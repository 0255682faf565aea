internal import CCurl

/// A URL's scheme, host and port as libcurl itself reads them (`curl_url`): the address policy
/// checks the very host curl connects to, and the pin names the very port, so no difference
/// between two URL parsers can send a request past the check.
public struct HTTPURL: Sendable, Hashable {
    public var scheme: String
    /// Lower-cased, IPv6 addresses without brackets.
    public var host: String
    /// Explicit, or the scheme's default.
    public var port: Int

    /// Nil when curl cannot parse `url` or it has no host.
    public init?(_ url: String) {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, _ flags: Int32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, UInt32(flags)) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME), var host = part(CURLUPART_HOST), !host.isEmpty,
            let portText = part(CURLUPART_PORT, CURLU_DEFAULT_PORT), let port = Int(portText)
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }
}
