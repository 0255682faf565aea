internal import Foundation

/// Which addresses a download may reach. Firmware lives on public hosts: loopback, private,
/// link-local, multicast, unspecified and other reserved addresses are refused (a URL must not
/// reach the worker's own network, e.g. a cloud metadata service), on the first request and on
/// every redirect. `ALLOW_PRIVATE_URLS=1` allows all (tests, private mirrors); a comma-separated
/// list of CIDR ranges (`127.0.0.0/8,::1/128`) allows just those.
public struct AddressPolicy: Sendable, Hashable {
    /// Ranges allowed although non-public.
    public var allowed: [AddressRange]
    public var allowsEverything: Bool

    public init(allowed: [AddressRange] = [], allowsEverything: Bool = false) {
        self.allowed = allowed
        self.allowsEverything = allowsEverything
    }

    /// The policy `ALLOW_PRIVATE_URLS` describes (unset or empty: public addresses only).
    public init(environmentValue: String?) throws(DownloadError) {
        self.init()
        guard let value = environmentValue?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value != "0" else { return }
        if ["1", "yes", "true", "all"].contains(value.lowercased()) {
            allowsEverything = true
            return
        }
        for item in value.split(separator: ",") {
            guard let range = AddressRange(String(item).trimmingCharacters(in: .whitespaces)) else {
                throw DownloadError(host: "", message: "ALLOW_PRIVATE_URLS: \"\(item)\" is not an address range (1, or CIDR ranges such as 127.0.0.0/8)", retryable: false)
            }
            allowed.append(range)
        }
    }

    /// Nil when `address` (16 bytes, IPv4 mapped) may be reached, else why not.
    public func refusal(of address: [UInt8]) -> String? {
        guard !allowsEverything, let kind = AddressRange.nonPublicKind(address) else { return nil }
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        return kind
    }
}

/// An IPv4 or IPv6 CIDR range, kept as 16 bytes (IPv4 mapped into ::ffff:0:0/96).
public struct AddressRange: Sendable, Hashable {
    public var base: [UInt8]
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty, let address = Self.parse(first) else { return nil }
        let isV4 = !first.contains(":")
        var length = isV4 ? 32 : 128
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= length else { return nil }
            length = value
        }
        base = address
        prefixLength = isV4 ? length + 96 : length
    }

    init(base: [UInt8], prefixLength: Int) {
        self.base = base
        self.prefixLength = prefixLength
    }

    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == 16 else { return false }
        var bits = prefixLength
        for index in 0..<16 where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(0xFF << (8 - bits) & 0xFF)
            if address[index] & mask != base[index] & mask { return false }
            bits -= 8
        }
        return true
    }

    /// 16 bytes for a textual IPv4 or IPv6 address, or nil.
    public static func parse(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if !text.contains(":") {
            var v4 = in_addr()
            guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
            bytes[10] = 0xFF
            bytes[11] = 0xFF
            withUnsafeBytes(of: v4.s_addr) { for (index, byte) in $0.enumerated() { bytes[12 + index] = byte } }
            return bytes
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        withUnsafeBytes(of: v6) { for (index, byte) in $0.enumerated() { bytes[index] = byte } }
        return bytes
    }

    /// The kind of a non-public address ("loopback", "private", …), nil for a public one.
    public static func nonPublicKind(_ address: [UInt8]) -> String? {
        for (range, kind) in nonPublic where range.contains(address) { return kind }
        return nil
    }

    private static let nonPublic: [(AddressRange, String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared (CGNAT)"), ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"), ("192.0.0.0/24", "reserved"), ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fc00::/7", "private (unique local)"), ("fe80::/10", "link-local"),
        ("ff00::/8", "multicast"), ("64:ff9b::/96", "NAT64"), ("2001:db8::/32", "documentation"),
        ("192.0.2.0/24", "documentation"), ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
        ("64:ff9b:1::/48", "NAT64 (local use)"), ("fec0::/10", "site-local"), ("100::/64", "discard"),
        // Forms that carry an IPv4 address inside (any of them can point at a private one):
        // IPv4-compatible (after ::/128 and ::1/128 above), SIIT, 6to4, Teredo.
        ("::/96", "IPv4-compatible"), ("::ffff:0:0:0/96", "IPv4-translated (SIIT)"), ("2002::/16", "6to4"), ("2001::/32", "Teredo"),
    ].map { (AddressRange($0.0)!, $0.1) }
}
