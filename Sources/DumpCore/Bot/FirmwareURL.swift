/// The syntactic check of a URL the bot accepts: `http` or `https`, a host, no spaces or control
/// characters, at most 2,048 characters. Reachability and address policy are the worker's.
public enum FirmwareURL {
    /// `text` with its scheme lower-cased when it is an acceptable URL; nil otherwise.
    public static func validated(_ text: String) -> String? {
        guard text.utf8.count <= 2048, let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon].lowercased()
        guard scheme == "http" || scheme == "https", text[colon...].hasPrefix("://") else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) else { return nil }
        let rest = text[text.index(colon, offsetBy: 3)...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host = hostAndPort.hasPrefix("[") ? hostAndPort.prefix { $0 != "]" }.dropFirst() : hostAndPort.split(separator: ":").first ?? ""
        guard !host.isEmpty, !host.contains(where: { "\\<>\"{}|^`".contains($0) }) else { return nil }
        return scheme + text[colon...]
    }

    /// The host of an `http(s)` URL, lower-cased, without port, credentials or IPv6 brackets.
    public static func host(of url: String) -> String? {
        guard let validated = validated(url), let colon = validated.firstIndex(of: ":") else { return nil }
        let authority = validated[validated.index(colon, offsetBy: 3)...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        if hostAndPort.hasPrefix("[") { return String(hostAndPort.dropFirst().prefix { $0 != "]" }).lowercased() }
        return (hostAndPort.split(separator: ":").first).map { String($0).lowercased() }
    }
}
