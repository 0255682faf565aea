/// Naming rules shared by local dumps and GitLab: one branch per build in project
/// `<subgroup>/<project>`.
public enum DumpNaming {
    /// The branch of a build: its description, plus `--<Oplus pipeline key>` (or else
    /// `--<HONOR product base version>`) when present, spaces turned into `-`, as the existing system
    /// names branches.
    ///
    /// The result is always a valid branch name: controls, non-printables and the characters git
    /// forbids are dropped; `/` becomes `-` (never kept, so one branch can never be the directory of
    /// another); `..` collapses; `@{` loses its brace; leading `-` and `.` and trailing `.` and `.lock`
    /// go; it is cut to 240 UTF-8 bytes. When nothing is left, the fingerprint is cleaned the same way,
    /// and failing that the name is `unknown`.
    public static func branch(for properties: DeviceProperties) -> String {
        var raw = properties.description
        if let key = properties.oplusPipelineKey, !key.isEmpty {
            raw += "--" + key
        } else if let version = properties.honorProductBaseVersion, !version.isEmpty {
            raw += "--" + version
        }
        return BranchNameSanitizer.sanitized(raw) ?? BranchNameSanitizer.sanitized(properties.fingerprint)
            ?? "unknown"
    }

    /// The GitLab subgroup (and directory) of a device: its brand, else its manufacturer, else `unknown`,
    /// cleaned like `project(for:)`.
    public static func subgroup(for properties: DeviceProperties) -> String {
        let brand = properties.brand.isEmpty ? properties.manufacturer : properties.brand
        return RepositoryPathName.cleaned(brand.isEmpty ? "unknown" : brand)
    }

    /// The GitLab project (and directory) of a device: its codename lower-cased, `_` → `-`,
    /// non-printables dropped, at most 35 characters, as in the existing system; then only
    /// `a-z 0-9 . -` (others become `-`), no `..`, no leading or trailing `-` or `.`, never empty.
    ///
    /// The existing system turned spaces in codenames into `_` only after deriving the project name
    /// (so its projects kept the space); here a space becomes `-`, the same result as `_` then `-`.
    public static func project(for properties: DeviceProperties) -> String {
        RepositoryPathName.cleaned(properties.codename.isEmpty ? "unknown" : properties.codename)
    }

    /// True when `git check-ref-format --branch` accepts `name`. Git sets no length limit, but
    /// `branch(for:)` stays within 240 bytes so the ref fits in a file name.
    public static func isValidBranchName(_ name: String) -> Bool {
        GitBranchRules.isValid(name)
    }
}
