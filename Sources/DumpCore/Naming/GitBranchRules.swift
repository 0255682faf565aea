/// The rules `git check-ref-format --branch` applies to a branch name (as `refs/heads/<name>`).
enum GitBranchRules {
    /// True when git accepts `name` as a branch name: not empty, not `HEAD`, no leading `-`;
    /// `/`-separated components that are not empty, do not start with `.` and do not end with `.lock`;
    /// no `..`, no `@{`, no ASCII control character, space, `~ ^ : ? * [ \`; no trailing `.`.
    /// Git sets no length limit; the file system does (see `BranchNameSanitizer`).
    static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name != "HEAD", !name.hasPrefix("-"), !name.hasSuffix("."),
            !name.contains(".."), !name.contains("@{")
        else { return false }
        guard !name.unicodeScalars.contains(where: isForbidden) else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && !component.hasPrefix(".") && !component.hasSuffix(".lock")
        }
    }

    /// ASCII controls, DEL, and the characters git reserves for revision syntax.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || forbidden.contains(scalar)
    }

    private static let forbidden: Set<Unicode.Scalar> = [" ", "~", "^", ":", "?", "*", "[", "\\"]
}
