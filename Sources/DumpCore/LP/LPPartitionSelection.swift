/// Which partitions of an LP metadata slot hold data, and under which name: the rules that turn
/// `system_a`/`system_b` into one `system`.
extension LPMetadata {
    /// A partition to extract: its name without slot suffix and its table entry.
    public struct NamedPartition: Sendable, Hashable {
        public var name: String
        public var entry: LPPartitionEntry
    }

    /// The partitions with at least one extent, in table order, named without their `_a`/`_b`
    /// suffix. When both `X_a` and `X_b` hold data, the one of `slot` wins (`_b` for slot 1, `_a`
    /// otherwise); any other name that appears twice after stripping is an error.
    public func dataPartitions(slot: UInt32 = 0) throws(LPError) -> [NamedPartition] {
        let preferred = slot == 1 ? "_b" : "_a"
        var chosen: [String: (position: Int, suffix: String)] = [:]
        var order: [(position: Int, named: NamedPartition)] = []
        for (position, entry) in partitions.enumerated() where entry.extentCount > 0 {
            let (name, suffix) = Self.splitSlotSuffix(entry.name)
            if let previous = chosen[name] {
                guard previous.suffix != suffix, !previous.suffix.isEmpty, !suffix.isEmpty else {
                    throw LPError(offset: nil, cause: "LP partition name \(name) appears twice (\(partitions[previous.position].name), \(entry.name))")
                }
                guard suffix == preferred else { continue }
                order.removeAll { $0.named.name == name }
            }
            chosen[name] = (position, suffix)
            order.append((position, NamedPartition(name: name, entry: entry)))
        }
        return order.sorted { $0.position < $1.position }.map(\.named)
    }

    /// `system_a` → (`system`, `_a`); a name without slot suffix is returned whole.
    static func splitSlotSuffix(_ name: String) -> (name: String, suffix: String) {
        for suffix in ["_a", "_b"] where name.hasSuffix(suffix) && name.count > suffix.count {
            return (String(name.dropLast(suffix.count)), suffix)
        }
        return (name, "")
    }
}
