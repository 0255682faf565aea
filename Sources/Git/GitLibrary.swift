internal import CGit2

/// libgit2's global state. Call `initialize()` once at start-up, before any other Git API.
public enum GitLibrary {
    /// Initialises libgit2 (`git_libgit2_init`) and sets the options dumpyard relies on.
    public static func initialize() {
        _ = git_libgit2_init()
        // Our own writers produce every object; refuse trees that point at missing ones.
        _ = cgit2_opt_int(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1)
    }
}
