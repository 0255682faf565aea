/// The fallback chains of the existing system (dumpbot `property_extractor.py`, reference/dumpbot.md §3.6),
/// step for step. Where it differs from the bash dumpyara chains, dumpbot wins: for example
/// `ro.build.product` is tried before the `ro.build.fota.version` codename fallback.
///
/// Consecutive single-key steps of the original are merged into one query with several patterns,
/// which searches in the same order.
enum PropertyChains {
    static let flavor: PropChain = [
        PropQuery(
            ["ro.build.flavor", "ro.vendor.build.flavor", "ro.system.build.flavor", "ro.build.type"],
            in: [.vendor, "system/build.prop", .systemRoot])
    ]

    static let release: PropChain = [
        PropQuery(
            ["ro.build.version.release", "ro.vendor.build.version.release", "ro.system.build.version.release"],
            in: [.myManifest, .vendor, .system, .systemRoot])
    ]

    static let id: PropChain = [
        PropQuery(
            ["ro.build.id", "ro.vendor.build.id", "ro.system.build.id"],
            in: [.myManifest, .systemDefault, .euclidManifest, .vendor, .system, .systemRoot])
    ]

    static let incremental: PropChain = [
        PropQuery(
            [
                "ro.build.version.incremental", "ro.vendor.build.version.incremental",
                "ro.system.build.version.incremental",
            ],
            in: [.myManifest, .systemDefault, .euclidManifest, .vendor, .system, .systemRoot, .myProduct])
    ]

    static let tags: PropChain = [
        PropQuery(
            ["ro.build.tags", "ro.vendor.build.tags", "ro.system.build.tags"], in: [.vendor, .system, .systemRoot])
    ]

    /// The value `common` (some MediaTek and Unisoc builds) is kept as the existing chain keeps it;
    /// DumprX alone treats it as absent.
    static let platform: PropChain = [
        PropQuery(
            ["ro.board.platform", "ro.vendor.board.platform", "ro.system.board.platform"],
            in: [.vendor, .system, .systemRoot])
    ]

    static let manufacturer: PropChain = [
        PropQuery("ro.product.odm.manufacturer", in: [.odmEtc]),
        PropQuery(
            "ro.product.manufacturer",
            in: [
                .odmFingerprint, .myProduct, .myManifest, .systemDefault, .euclidManifest, .vendor, .system,
                .systemRoot,
            ]),
        PropQuery("ro.product.brand.sub", in: [.myProduct, .systemEuclidMyProduct]),
        PropQuery("ro.vendor.product.manufacturer", in: [.vendor]),
        PropQuery("ro.product.vendor.manufacturer", in: [.myManifest, .systemDefault, .euclidManifest, .vendor]),
        PropQuery("ro.system.product.manufacturer", in: [.system, .systemRoot]),
        PropQuery("ro.product.system.manufacturer", in: [.system, .systemRoot]),
        PropQuery("ro.product.odm.manufacturer", in: [.myManifest, .systemDefault, .euclidManifest, .vendorOdmEtc]),
        PropQuery("ro.product.manufacturer", in: [.oppoProduct, .myProduct, .euclidAny]),
        PropQuery("ro.system.product.manufacturer", in: [.euclidAny]),
        PropQuery("ro.product.product.manufacturer", in: [.euclidProduct]),
    ]

    static let fingerprint: PropChain = [
        PropQuery("ro.odm.build.fingerprint", in: ["odm/etc/*build*.prop"]),
        PropQuery(
            "ro.vendor.build.fingerprint",
            in: [.myManifest, .systemDefault, .euclidManifest, .odmFingerprint, .vendor]),
        PropQuery("ro.build.fingerprint", in: [.myManifest, .systemDefault, .euclidManifest, .system, .systemRoot]),
        PropQuery("ro.product.build.fingerprint", in: [.product]),
        PropQuery("ro.system.build.fingerprint", in: [.system, .systemRoot]),
        PropQuery(
            ["ro.build.fingerprint", "ro.system.build.fingerprint", "ro.vendor.build.fingerprint"],
            in: ["my_product/build.prop"]),
    ]

    /// The codename steps before the two derived fallbacks (`fotaVersion`, then the fingerprint).
    static let codename: PropChain = [
        PropQuery("ro.build.product", in: [.honorLocal]),
        PropQuery("ro.product.odm.device", in: [.odmEtc, .systemDefault]),
        PropQuery("ro.product.device", in: [.odmFingerprint, .myManifest, .systemDefault, .euclidManifest]),
        PropQuery("ro.product.vendor.device", in: [.systemDefault, .euclidManifest]),
        PropQuery("ro.vendor.product.device", in: [.systemDefault, .vendor]),
        PropQuery("ro.product.vendor.device", in: [.vendor]),
        PropQuery("ro.product.device", in: [.vendor, .system, .systemRoot]),
        PropQuery("ro.vendor.product.device.oem", in: ["odm/build.prop", "vendor/euclid/odm/build.prop"]),
        PropQuery("ro.product.vendor.device", in: [.myManifest]),
        PropQuery("ro.product.system.device", in: [.system, .systemRoot, .euclidAny]),
        PropQuery("ro.product.product.device", in: [.euclidAny, .systemDefault]),
        PropQuery("ro.product.product.model", in: [.euclidAny]),
        PropQuery("ro.product.device", in: [.oppoProduct, .myProduct]),
        PropQuery("ro.product.product.device", in: [.oppoProduct]),
        PropQuery("ro.product.system.device", in: [.myProduct]),
        PropQuery("ro.product.vendor.device", in: [.myProduct]),
        PropQuery("ro.build.product", in: [.vendor, .system, .systemRoot]),
    ]

    /// Codename fallback: the text before the first `-`.
    static let fotaVersion: PropChain = [
        PropQuery("ro.build.fota.version", in: [.system, .systemRoot])
    ]

    /// `ro.product.odm.brand` in `odm/etc/<codename>_build.prop`, the first brand step.
    static func codenameBrand(_ codename: String) -> PropChain {
        [PropQuery("ro.product.odm.brand", in: [PropPathPattern(literal: "odm/etc/\(codename)_build.prop")])]
    }

    /// The brand steps after the codename-specific one and before the `OPPO` rule.
    static let brand: PropChain = [
        PropQuery("ro.product.odm.brand", in: [.odmEtc, .systemDefault]),
        PropQuery(
            "ro.product.brand",
            in: [.odmFingerprint, .myProduct, .systemDefault, .euclidManifest, .vendor, .system, .systemRoot]),
        PropQuery("ro.product.brand.sub", in: [.myProduct, .systemEuclidMyProduct]),
        PropQuery("ro.product.vendor.brand", in: [.myManifest, .systemDefault, .euclidManifest, .vendor]),
        PropQuery("ro.vendor.product.brand", in: [.vendor]),
        PropQuery("ro.product.system.brand", in: [.system, .systemRoot]),
    ]

    /// Tried when the brand so far is empty or exactly `OPPO`; a hit replaces it.
    static let euclidSystemBrand: PropChain = [
        PropQuery("ro.product.system.brand", in: [.euclidAny])
    ]

    /// The brand steps tried when the brand is still empty after the `OPPO` rule.
    static let lateBrand: PropChain = [
        PropQuery("ro.product.product.brand", in: [.euclidProduct]),
        PropQuery("ro.product.odm.brand", in: [.myManifest, .euclidManifest, .vendorOdmEtc]),
        PropQuery("ro.product.brand", in: [.oppoProduct, .myProduct]),
    ]

    static let description: PropChain = [
        PropQuery(
            [
                "ro.build.description", "ro.vendor.build.description", "ro.product.build.description",
                "ro.system.build.description",
            ],
            in: ["system/build.prop", .systemRoot, .vendor, .product])
    ]

    static let isAB: PropChain = [
        PropQuery("ro.build.ab_update", in: [.system, .systemRoot, .vendor])
    ]

    static let oplusPipelineKey: PropChain = [
        PropQuery("ro.oplus.pipeline_key", in: [.myManifest])
    ]

    static let honorProductBaseVersion: PropChain = [
        PropQuery("ro.comp.hl.product_base_version", in: [.honorLocal])
    ]

    /// Not in the existing system (which dated commits by the clock): system first, then the
    /// Oplus manifest, then the vendor, product and odm variants.
    static let buildDateUTC: PropChain = [
        PropQuery(["ro.build.date.utc", "ro.system.build.date.utc"], in: [.system, .systemRoot]),
        PropQuery("ro.build.date.utc", in: [.myManifest]),
        PropQuery("ro.vendor.build.date.utc", in: [.vendor]),
        PropQuery("ro.product.build.date.utc", in: [.product, "product/etc/build*.prop"]),
        PropQuery("ro.odm.build.date.utc", in: [.odmEtc, .vendorOdmEtc]),
    ]

    /// Every chain, for the list of files worth loading.
    static let all: [PropChain] = [
        flavor, release, id, incremental, tags, platform, manufacturer, fingerprint, codename, fotaVersion,
        brand, euclidSystemBrand, lateBrand, description, isAB, oplusPipelineKey, honorProductBaseVersion,
        buildDateUTC,
    ]
}

// The files named by the chains (dumpbot's abbreviations in brackets).
extension PropPathPattern {
    /// [S] non-system-as-root system partition.
    static let system: PropPathPattern = "system/build*.prop"
    /// [SS] system-as-root dumps: the partition root is `system/`, its files under `system/system/`.
    static let systemRoot: PropPathPattern = "system/system/build*.prop"
    /// [SD]
    static let systemDefault: PropPathPattern = "system/system/build_default.prop"
    /// [V]
    static let vendor: PropPathPattern = "vendor/build*.prop"
    static let product: PropPathPattern = "product/build*.prop"
    static let odmEtc: PropPathPattern = "odm/etc/build*.prop"
    static let vendorOdmEtc: PropPathPattern = "vendor/odm/etc/build*.prop"
    /// [OF]
    static let odmFingerprint: PropPathPattern = "odm/etc/fingerprint/build.default.prop"
    /// [MM] Oplus (OPPO, realme, OnePlus) manifest image.
    static let myManifest: PropPathPattern = "my_manifest/build*.prop"
    /// [MP] Oplus product image.
    static let myProduct: PropPathPattern = "my_product/build*.prop"
    static let oppoProduct: PropPathPattern = "oppo_product/build*.prop"
    /// [EM] realme "euclid" images unpacked inside vendor.
    static let euclidManifest: PropPathPattern = "vendor/euclid/my_manifest/build.prop"
    /// [E*]
    static let euclidAny: PropPathPattern = "vendor/euclid/*/build.prop"
    static let euclidProduct: PropPathPattern = "vendor/euclid/product/build*.prop"
    static let systemEuclidMyProduct: PropPathPattern = "system/system/euclid/my_product/build*.prop"
    /// HONOR product_h image.
    static let honorLocal: PropPathPattern = "product_h/etc/prop/local*.prop"
}
