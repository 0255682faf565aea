/// The `README.md` at the root of a dump.
public enum DumpReadme {
    /// A `## <description>` title, a blank line, then one `- key: value` line per property in bash
    /// dumpyara's order (manufacturer, platform, codename, flavor, release, id, incremental, tags,
    /// fingerprint, is_ab, brand, branch, repo), ending with a newline.
    public static func render(_ properties: DeviceProperties, branch: String, repo: String) -> String {
        let fields: [(String, String)] = [
            ("manufacturer", properties.manufacturer),
            ("platform", properties.platform),
            ("codename", properties.codename),
            ("flavor", properties.flavor),
            ("release", properties.release),
            ("id", properties.id),
            ("incremental", properties.incremental),
            ("tags", properties.tags),
            ("fingerprint", properties.fingerprint),
            ("is_ab", properties.isAB ? "true" : "false"),
            ("brand", properties.brand),
            ("branch", branch),
            ("repo", repo),
        ]
        let lines = ["## \(properties.description)", ""] + fields.map { "- \($0): \($1)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
