/// The `/`-separated fields of a build fingerprint,
/// `brand/name/device:release/id/incremental:type/tags`.
struct FingerprintFields {
    private let fields: [Substring]

    init(_ fingerprint: String) {
        fields = fingerprint.isEmpty ? [] : fingerprint.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// Field 1; the whole text when there is no `/`, as in the existing system.
    var brand: String? {
        fields.first.flatMap { $0.isEmpty ? nil : String($0) }
    }

    /// Field 3 up to its `:`, when the fingerprint has at least three fields.
    var device: String? {
        guard fields.count >= 3, let device = fields[2].split(separator: ":", omittingEmptySubsequences: false).first,
            !device.isEmpty
        else { return nil }
        return String(device)
    }
}
