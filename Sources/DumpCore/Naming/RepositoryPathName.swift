/// Cleans a brand or codename into one segment of a GitLab path and a directory name.
enum RepositoryPathName {
    /// The existing system's limit, in characters.
    static let maximumLength = 35

    /// First the existing system's cleaning, so names it produced stay the same: lowercase, `_` → `-`,
    /// non-printables dropped, cut to 35 characters. Then made safe: anything but `a-z 0-9 . -` becomes
    /// `-`, `..` collapses to `.`, leading and trailing `-` and `.` go, a trailing `.git` or `.atom`
    /// (refused by GitLab) becomes `-git` or `-atom`. Never empty: `unknown` instead.
    static func cleaned(_ raw: String) -> String {
        let legacy = raw.lowercased().unicodeScalars
            .map { $0 == "_" ? "-" : $0 }
            .filter(PrintableScalars.contains)
            .prefix(maximumLength)

        var scalars: [Unicode.Scalar] = []
        for scalar in legacy {
            let safe: Unicode.Scalar = isAllowed(scalar) ? scalar : "-"
            if safe == ".", scalars.last == "." { continue }
            scalars.append(safe)
        }
        let trim: Set<Unicode.Scalar> = ["-", "."]
        while let first = scalars.first, trim.contains(first) {
            scalars.removeFirst()
        }
        while let last = scalars.last, trim.contains(last) {
            scalars.removeLast()
        }
        var name = String(String.UnicodeScalarView(scalars))
        for suffix in [".git", ".atom"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count)) + "-" + String(suffix.dropFirst())
        }
        return name.isEmpty ? "unknown" : name
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "0"..."9", ".", "-": true
        default: false
        }
    }
}
