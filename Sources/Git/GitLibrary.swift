internal import CGit2

/// libgit2's global state. Call `initialize()` once at start-up, before any other Git API.
public enum GitLibrary {
    /// Initialises libgit2 (`git_libgit2_init`) and sets the options dumpyard relies on.
    public static func initialize() {
        _ = git_libgit2_init()
        // No per-entry existence check when writing trees: libgit2 would read every blob's header
        // from the pack (measured: +1.8 s and +100 MB of mapped pack for 9,000 files). Callers
        // check presence themselves, from the pack indexes only (`containsEach`).
        _ = cgit2_opt_int(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0)
    }
}
