internal import Download

/// Download options from the environment: `ALLOW_PRIVATE_URLS`, `DOWNLOAD_CONNECTIONS` (4),
/// `DOWNLOAD_STALL_SECONDS` (60), `DOWNLOAD_TIMEOUT_SECONDS` (21600), `DOWNLOAD_MAX_BYTES` (64 GiB).
enum DownloadSettings {
    static func options(_ environment: [String: String]) throws(DownloadError) -> DownloadOptions {
        var options = DownloadOptions()
        options.policy = try AddressPolicy(environmentValue: environment["ALLOW_PRIVATE_URLS"])
        func number(_ name: String, _ range: ClosedRange<Int64>) throws(DownloadError) -> Int64? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw DownloadError(host: "", message: "\(name) is \(range.lowerBound) to \(range.upperBound)", retryable: false)
            }
            return value
        }
        if let value = try number("DOWNLOAD_CONNECTIONS", 1...16) { options.connections = Int(value) }
        if let value = try number("DOWNLOAD_STALL_SECONDS", 1...3600) { options.stallTimeout = .seconds(value) }
        if let value = try number("DOWNLOAD_TIMEOUT_SECONDS", 1...604_800) { options.totalTimeout = .seconds(value) }
        if let value = try number("DOWNLOAD_MAX_BYTES", 1...(1 << 50)) { options.maximumSize = UInt64(value) }
        return options
    }
}
