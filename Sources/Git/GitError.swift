internal import CGit2

/// A libgit2 failure: the function, its return code and libgit2's thread-local message,
/// captured in the same synchronous call as the failure.
public struct GitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The libgit2 function that failed.
    public var function: String
    /// Its return code (`GIT_ENOTFOUND` is -3, `GIT_EEXISTS` -4, …).
    public var code: Int32
    /// libgit2's message for the failure.
    public var message: String

    /// True when the failure means "no such object or reference".
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// True when the failure means "it exists already" (a reference created concurrently).
    public var isAlreadyExists: Bool { code == GIT_EEXISTS.rawValue }

    /// True when another process holds the lock file of what was to be written.
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }

    public var description: String { "\(function): \(message.isEmpty ? "error \(code)" : message)" }

    init(function: String, code: Int32) {
        self.function = function
        self.code = code
        if let last = git_error_last(), let text = last.pointee.message {
            self.message = String(cString: text)
        } else {
            self.message = ""
        }
    }
}

/// Throws a `GitError` for a negative libgit2 return code.
@discardableResult
func check(_ rc: Int32, _ function: String) throws(GitError) -> Int32 {
    if rc < 0 { throw GitError(function: function, code: rc) }
    return rc
}
