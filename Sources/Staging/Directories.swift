#if canImport(Glibc)
internal import Glibc
#endif

/// Directory creation with the system's own reason on failure (Foundation's errors lose it).
public enum Directories {
    /// Creates `path` and its missing parents (like `mkdir -p`); fails with the path and `strerror`.
    public static func create(_ path: String, mode: UInt32 = 0o755) throws(StagingError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode_t(mode)) == 0 { continue }
            let code = errno
            var st = stat()
            if code == EEXIST, stat(current, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { continue }
            let reason = code == EEXIST ? "\(current) is not a directory" : String(cString: strerror(code))
            throw StagingError("cannot create \(path)", cause: reason)
        }
    }
}
