/// Finds a dump's device properties with the fallback chains of the existing system.
///
/// Lookup rules: each chain step searches its keys key-major over its file patterns (see
/// `PropQuery`); within one file the last assignment of a key wins; an empty value counts as absent;
/// keys match literally (the original's ripgrep treated their dots as wildcards).
public enum PropertyResolver {
    /// True for paths the resolver may read, so that a caller loads only those files.
    public static func isCandidate(path: String) -> Bool {
        let bytes = normalizedBytes(path)
        guard bytes.reversed().starts(with: candidateSuffix.reversed()) else { return false }
        return candidatePatterns.contains { $0.matches(bytes) }
    }

    /// Resolves every property through its full fallback chain.
    ///
    /// Files whose paths are not candidates are ignored. Throws `PropertyError.Code.codenameNotDetected`
    /// when neither a codename property, nor `ro.build.fota.version`, nor a fingerprint names the device.
    public static func resolve(_ files: [PropFile]) throws(PropertyError) -> DeviceProperties {
        let index = PropIndex(files.filter { isCandidate(path: $0.path) })
        var properties = DeviceProperties(
            manufacturer: index.value(of: PropertyChains.manufacturer) ?? "",
            platform: index.value(of: PropertyChains.platform) ?? "",
            flavor: index.value(of: PropertyChains.flavor) ?? "",
            release: index.value(of: PropertyChains.release) ?? "",
            id: index.value(of: PropertyChains.id) ?? "",
            incremental: index.value(of: PropertyChains.incremental) ?? "",
            tags: index.value(of: PropertyChains.tags) ?? "",
            fingerprint: index.value(of: PropertyChains.fingerprint) ?? "",
            isAB: index.value(of: PropertyChains.isAB).map(isTrue) ?? false,
            buildDateUTC: index.value(of: PropertyChains.buildDateUTC) { seconds($0) != nil }.flatMap(seconds),
            oplusPipelineKey: index.value(of: PropertyChains.oplusPipelineKey),
            honorProductBaseVersion: index.value(of: PropertyChains.honorProductBaseVersion))

        guard let codename = codename(in: index, fingerprint: properties.fingerprint) else {
            throw PropertyError(code: .codenameNotDetected, searchedPaths: index.paths)
        }
        properties.codename = codename
        properties.brand = brand(
            in: index, codename: codename, fingerprint: properties.fingerprint,
            manufacturer: properties.manufacturer)

        if let description = index.value(of: PropertyChains.description) {
            properties.description = description
        } else {
            properties.description = [
                properties.flavor, properties.release, properties.id, properties.incremental, properties.tags,
            ]
            .filter { !$0.isEmpty }.joined(separator: " ")
            properties.descriptionWasSynthesized = true
        }
        return properties
    }

    /// The codename chain, then the text of `ro.build.fota.version` before its first `-`,
    /// then the device field of the fingerprint.
    private static func codename(in index: PropIndex, fingerprint: String) -> String? {
        if let codename = index.value(of: PropertyChains.codename) {
            return codename
        }
        if let fota = index.value(of: PropertyChains.fotaVersion),
            let prefix = fota.split(separator: "-", omittingEmptySubsequences: false).first, !prefix.isEmpty
        {
            return String(prefix)
        }
        return FingerprintFields(fingerprint).device
    }

    /// The brand chain with its special cases, in the existing system's order: a codename-specific odm
    /// file wins outright; an empty or exactly `OPPO` brand yields to the realme euclid system brand;
    /// then the late steps, the fingerprint's brand field and finally the manufacturer.
    private static func brand(
        in index: PropIndex, codename: String, fingerprint: String, manufacturer: String
    ) -> String {
        if let brand = index.value(of: PropertyChains.codenameBrand(codename)) {
            return brand
        }
        var brand = index.value(of: PropertyChains.brand)
        if brand == nil || brand == "OPPO", let euclid = index.value(of: PropertyChains.euclidSystemBrand) {
            brand = euclid
        }
        return brand ?? index.value(of: PropertyChains.lateBrand) ?? FingerprintFields(fingerprint).brand
            ?? manufacturer
    }

    /// Android's boolean property spelling (`1`, `y`, `yes`, `on`, `true`).
    private static func isTrue(_ value: String) -> Bool {
        ["1", "y", "yes", "on", "true"].contains(value.lowercased())
    }

    /// A positive number of seconds, or nil.
    private static func seconds(_ value: String) -> Int64? {
        Int64(value).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The files any chain may read, including `odm/etc/<codename>_build.prop`.
    private static let candidatePatterns: [PropPathPattern] = Array(Set(
        PropertyChains.all.joined().flatMap(\.patterns) + ["odm/etc/*_build.prop"]))

    /// The longest tail all candidate patterns share (`.prop`): a cheap first test for long file lists.
    private static let candidateSuffix: [UInt8] = {
        var suffix = Array(candidatePatterns.first?.literalTail ?? [])
        for pattern in candidatePatterns.dropFirst() {
            let shared = zip(suffix.reversed(), pattern.literalTail.reversed()).prefix { $0 == $1 }.count
            suffix = Array(suffix.suffix(shared))
        }
        return suffix
    }()

    /// `path` without a leading `/` or `./`.
    static func normalized(_ path: String) -> String {
        String(Substring(normalizedBytes(path)))
    }

    /// The bytes of `path` after any leading `/` or `./`, without copying.
    private static func normalizedBytes(_ path: String) -> Substring.UTF8View {
        var path = path[...].utf8
        while let first = path.first {
            if first == UInt8(ascii: "/") {
                path = path.dropFirst()
            } else if first == UInt8(ascii: "."), path.dropFirst().first == UInt8(ascii: "/") {
                path = path.dropFirst(2)
            } else {
                break
            }
        }
        return path
    }
}
