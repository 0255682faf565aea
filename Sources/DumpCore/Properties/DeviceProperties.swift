/// What a dump's property files say about the device and the build.
///
/// Values are as found in the prop files (trimmed), not yet cleaned for names; an empty string means
/// "not found". `DumpNaming` turns them into branch, group and project names.
public struct DeviceProperties: Sendable, Hashable, Codable {
    /// `ro.product.manufacturer` and its fallbacks, e.g. `Xiaomi`.
    public var manufacturer: String
    /// `ro.product.brand` and its fallbacks, e.g. `Redmi`.
    public var brand: String
    /// The device codename, e.g. `sweet`; never empty in a resolved dump.
    public var codename: String
    /// `ro.board.platform`, e.g. `atoll`.
    public var platform: String
    /// `ro.build.flavor` (or `ro.build.type`), e.g. `sweet-user`.
    public var flavor: String
    /// `ro.build.version.release`, e.g. `12`.
    public var release: String
    /// `ro.build.id`, e.g. `SKQ1.210908.001`.
    public var id: String
    /// `ro.build.version.incremental`, e.g. `V13.0.6.0.SKFMIXM`.
    public var incremental: String
    /// `ro.build.tags`, e.g. `release-keys`.
    public var tags: String
    /// `ro.build.fingerprint` and its fallbacks.
    public var fingerprint: String
    /// `ro.build.description`, or "flavor release id incremental tags" when absent.
    public var description: String
    /// `ro.build.ab_update`; false when absent.
    public var isAB: Bool
    /// `ro.build.date.utc` (system first, then vendor, product, odm variants): seconds since 1970.
    public var buildDateUTC: Int64?
    /// `ro.oplus.pipeline_key` of `my_manifest` (OPPO, realme, OnePlus region builds).
    public var oplusPipelineKey: String?
    /// `ro.comp.hl.product_base_version` of `product_h/etc/prop/local*.prop` (HONOR).
    public var honorProductBaseVersion: String?
    /// True when no description property was found and `description` was put together.
    public var descriptionWasSynthesized: Bool

    /// Properties with the given values; every one defaults to empty or absent.
    public init(
        manufacturer: String = "", brand: String = "", codename: String = "", platform: String = "",
        flavor: String = "", release: String = "", id: String = "", incremental: String = "", tags: String = "",
        fingerprint: String = "", description: String = "", isAB: Bool = false, buildDateUTC: Int64? = nil,
        oplusPipelineKey: String? = nil, honorProductBaseVersion: String? = nil, descriptionWasSynthesized: Bool = false
    ) {
        self.manufacturer = manufacturer
        self.brand = brand
        self.codename = codename
        self.platform = platform
        self.flavor = flavor
        self.release = release
        self.id = id
        self.incremental = incremental
        self.tags = tags
        self.fingerprint = fingerprint
        self.description = description
        self.isAB = isAB
        self.buildDateUTC = buildDateUTC
        self.oplusPipelineKey = oplusPipelineKey
        self.honorProductBaseVersion = honorProductBaseVersion
        self.descriptionWasSynthesized = descriptionWasSynthesized
    }
}
