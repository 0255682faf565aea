internal import CGit2
#if canImport(Glibc)
internal import Glibc
#endif

/// HTTP(S) Basic credentials for a push; GitLab takes any user name (`oauth2`) and the token.
public struct GitCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// What a push did.
public struct GitPushReport: Sendable, Hashable {
    /// Objects and bytes of the pack sent (0 when the remote lacked nothing).
    public var objects: Int
    public var bytes: Int

    public init(objects: Int, bytes: Int) {
        self.objects = objects
        self.bytes = bytes
    }
}

/// What a push is doing, for progress reports.
public struct GitPushProgress: Sendable, Hashable {
    public var objectsSent: Int
    public var objectsTotal: Int
    public var bytesSent: Int
}

/// State the push callbacks reach through libgit2's `void *payload`.
private final class PushState {
    let credentials: GitCredentials?
    let credentialTries: Int
    let deadline: ContinuousClock.Instant?
    let progress: ((GitPushProgress) -> Void)?
    var triesUsed = 0
    var rejected: [(String, String)] = []
    var report = GitPushReport(objects: 0, bytes: 0)
    var timedOut = false
    var authenticationFailed = false

    init(credentials: GitCredentials?, credentialTries: Int, deadline: ContinuousClock.Instant?, progress: ((GitPushProgress) -> Void)?) {
        self.credentials = credentials
        self.credentialTries = credentialTries
        self.deadline = deadline
        self.progress = progress
    }

    /// Zero to go on, GIT_EUSER once the deadline passed.
    func checkDeadline() -> Int32 {
        guard let deadline, ContinuousClock.now > deadline else { return 0 }
        timedOut = true
        return GIT_EUSER.rawValue
    }
}

/// Why a push did not do what was asked: the server refused a reference update, the credentials
/// were refused, the deadline passed, or libgit2 failed. Never the credentials.
public enum GitPushError: Error, Sendable, Hashable, CustomStringConvertible {
    case rejected([String: String])
    case authenticationFailed(tries: Int)
    case timedOut
    case failed(GitError)
    /// A failure outside libgit2 (dumpyard's own push).
    case protocolFailure(String)

    public var description: String {
        switch self {
        case .rejected(let refs): "the server refused " + refs.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        case .authenticationFailed(let tries): "the server refused the credentials (\(tries) tries)"
        case .timedOut: "the push took longer than its time limit"
        case .failed(let error): error.description
        case .protocolFailure(let message): message
        }
    }
}

extension GitRepository {
    /// Pushes `refspecs` (`refs/heads/a:refs/heads/a`, `+…` to force) to `url` over smart HTTP(S)
    /// with an anonymous remote. The credentials are offered at most `credentialTries` times; the
    /// status of every reference update is checked (libgit2 reports a refusal only there); the
    /// deadline is checked whenever libgit2 reports progress.
    @discardableResult
    public func push(
        _ refspecs: [String], to url: String, credentials: GitCredentials?, credentialTries: Int = 2,
        deadline: ContinuousClock.Instant? = nil, progress: ((GitPushProgress) -> Void)? = nil
    ) throws(GitPushError) -> GitPushReport {
        var remote: OpaquePointer?
        do throws(GitError) { try check(git_remote_create_anonymous(&remote, handle, url), "git_remote_create_anonymous") } catch {
            throw .failed(error)
        }
        defer { git_remote_free(remote) }
        let state = PushState(credentials: credentials, credentialTries: credentialTries, deadline: deadline, progress: progress)
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        options.pb_parallelism = 0
        options.callbacks.payload = Unmanaged.passUnretained(state).toOpaque()
        options.callbacks.credentials = { out, _, _, allowed, payload in
            guard let payload, let out else { return GIT_EUSER.rawValue }
            let state = Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue()
            guard let credentials = state.credentials, allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
                return GIT_PASSTHROUGH.rawValue
            }
            guard state.triesUsed < state.credentialTries else {
                state.authenticationFailed = true
                return GIT_EUSER.rawValue
            }
            state.triesUsed += 1
            return git_credential_userpass_plaintext_new(out, credentials.username, credentials.password)
        }
        options.callbacks.push_update_reference = { reference, status, payload in
            guard let payload, let status else { return 0 }
            let state = Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue()
            state.rejected.append((reference.map { String(cString: $0) } ?? "?", String(cString: status)))
            return 0
        }
        options.callbacks.push_transfer_progress = { current, total, bytes, payload in
            guard let payload else { return 0 }
            let state = Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue()
            state.report = GitPushReport(objects: Int(total), bytes: bytes)
            state.progress?(GitPushProgress(objectsSent: Int(current), objectsTotal: Int(total), bytesSent: bytes))
            return state.checkDeadline()
        }
        options.callbacks.pack_progress = { _, _, _, payload in
            guard let payload else { return 0 }
            return Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue().checkDeadline()
        }
        options.callbacks.sideband_progress = { _, _, payload in
            guard let payload else { return 0 }
            return Unmanaged<PushState>.fromOpaque(payload).takeUnretainedValue().checkDeadline()
        }
        let copies = refspecs.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers = copies
        let rc = withExtendedLifetime(state) {
            pointers.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_push(remote, &array, &options)
            }
        }
        if state.timedOut { throw .timedOut }
        if state.authenticationFailed { throw .authenticationFailed(tries: state.triesUsed) }
        if rc < 0 {
            let error = GitError(function: "git_remote_push", code: rc)
            if error.code == GIT_EAUTH.rawValue || error.message.contains("401") { throw .authenticationFailed(tries: state.triesUsed) }
            if error.code == GIT_ENONFASTFORWARD.rawValue {
                // libgit2 refuses before sending: a branch holds commits this push would drop.
                let targets = refspecs.filter { !$0.hasPrefix("+") }.map { String($0.split(separator: ":").last ?? "") }
                throw .rejected(Dictionary(targets.map { ($0, "not a fast-forward: the remote branch holds other commits") }) { first, _ in first })
            }
            throw .failed(error)
        }
        guard state.rejected.isEmpty else { throw .rejected(Dictionary(state.rejected) { first, _ in first }) }
        return state.report
    }
}
