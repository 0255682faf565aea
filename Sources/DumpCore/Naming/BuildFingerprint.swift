/// A build fingerprint (`brand/name/device:release/id/incremental:type/tags`) taken apart, and
/// where the existing naming rules put its dump: the brand's subgroup, the device's project, and
/// the branch of the description Android derives from the same fields
/// (`<name>-<type> <release> <id> <incremental> <tags>`). Builds whose branch carries more (an
/// Oplus pipeline key) or whose description differs are not found this way.
public struct BuildFingerprint: Sendable, Hashable {
    public var brand: String
    public var name: String
    public var device: String
    public var release: String
    public var id: String
    public var incremental: String
    public var type: String
    public var tags: String

    /// Nil unless `text` has exactly the eight fields, none empty.
    public init?(_ text: String) {
        let slashes = text.split(separator: "/", omittingEmptySubsequences: false)
        guard slashes.count == 6 else { return nil }
        let third = slashes[2].split(separator: ":", omittingEmptySubsequences: false)
        let fifth = slashes[4].split(separator: ":", omittingEmptySubsequences: false)
        guard third.count == 2, fifth.count == 2 else { return nil }
        let fields = [slashes[0], slashes[1], third[0], third[1], slashes[3], fifth[0], fifth[1], slashes[5]].map(String.init)
        guard fields.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
        (brand, name, device, release, id, incremental, type, tags) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7])
    }

    /// The properties the naming rules need, as the fingerprint states them.
    public var properties: DeviceProperties {
        DeviceProperties(
            brand: brand, codename: device, release: release, id: id, incremental: incremental, tags: tags,
            fingerprint: "\(brand)/\(name)/\(device):\(release)/\(id)/\(incremental):\(type)/\(tags)",
            description: "\(name)-\(type) \(release) \(id) \(incremental) \(tags)")
    }

    public var subgroup: String { DumpNaming.subgroup(for: properties) }
    public var project: String { DumpNaming.project(for: properties) }
    public var branch: String { DumpNaming.branch(for: properties) }
}
