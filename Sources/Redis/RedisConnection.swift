internal import CHiredis
#if canImport(Glibc)
internal import Glibc
#endif
internal import Synchronization

/// One connection to Redis through hiredis 0.14: connect with a timeout, log in (AUTH, SELECT,
/// CLIENT SETNAME), commands as binary-safe argument vectors, pipelines.
///
/// A connection belongs to one thread (hiredis contexts are not thread-safe); only `interrupt()`
/// may be called from another thread, to wake a blocking command at shutdown. After an I/O error
/// or a timeout the connection is broken: open a new one (`reconnect()` does it, handshake and
/// timeouts included, which hiredis's own reconnect forgets).
public final class RedisConnection: @unchecked Sendable {
    // The context is used by the owning thread only; `socket` is what `interrupt()` needs.
    private var context: UnsafeMutablePointer<redisContext>?
    private let socket = Atomic<Int32>(-1)
    public let endpoint: RedisEndpoint
    public let connectTimeout: Duration
    public let commandTimeout: Duration
    public let clientName: String?

    /// Connects to `endpoint` and logs in. `commandTimeout` bounds every reply (keep it above the
    /// block time of blocking commands).
    public init(
        _ endpoint: RedisEndpoint, connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(10),
        clientName: String? = nil
    ) throws(RedisError) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.clientName = clientName
        try open()
    }

    deinit { close() }

    /// True once an I/O error, a timeout or `interrupt()` broke the connection.
    public private(set) var isBroken = false

    /// Drops the connection and opens a new one (handshake and timeouts again).
    public func reconnect() throws(RedisError) {
        close()
        try open()
    }

    /// Runs one command, e.g. `["SET", key, value]`.
    @discardableResult
    public func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Text arguments for convenience.
    @discardableResult
    public func command(_ arguments: String...) throws(RedisError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends all `commands`, then reads their replies in order (one round trip).
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        guard let context, !isBroken else { throw failure("command", "the connection is broken; reconnect") }
        let name = commands.first?.first.map { String(decoding: $0.prefix(32), as: UTF8.self) } ?? "command"
        for arguments in commands {
            let rc = Self.withArgv(arguments) { count, argv, lengths in redisAppendCommandArgv(context, count, argv, lengths) }
            guard rc == REDIS_OK else { throw broken(name) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw broken(name) }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.copy(reply))
            freeReplyObject(reply)
        }
        return replies
    }

    /// Wakes a command blocked in this connection from another thread (shutdown): the socket is
    /// shut down, the blocked call fails at once, and the connection is broken.
    public func interrupt() {
        let fd = socket.load(ordering: .acquiring)
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: - Private

    private func open() throws(RedisError) {
        isBroken = false
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), Self.timeval(connectTimeout)) else {
            throw failure("connect", "out of memory")
        }
        self.context = context
        guard context.pointee.err == 0 else {
            let message = String(cString: chiredis_errstr(context))
            close()
            throw failure("connect", message)
        }
        guard redisSetTimeout(context, Self.timeval(commandTimeout)) == REDIS_OK else {
            close()
            throw failure("connect", "cannot set the command timeout")
        }
        socket.store(context.pointee.fd, ordering: .releasing)
        do {
            if let password = endpoint.password {
                let login = endpoint.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                try expectOK(login, shownAs: "AUTH")
            }
            if endpoint.database != 0 { try expectOK(["SELECT", String(endpoint.database)], shownAs: "SELECT") }
            if let clientName { try expectOK(["CLIENT", "SETNAME", clientName], shownAs: "CLIENT SETNAME") }
        } catch {
            close()
            throw error
        }
    }

    private func expectOK(_ arguments: [String], shownAs operation: String) throws(RedisError) {
        let reply = try command(arguments.map { Array($0.utf8) })
        if case .error(let message) = reply { throw failure(operation, message) }
    }

    private func close() {
        socket.store(-1, ordering: .releasing)
        if let context { redisFree(context) }
        context = nil
    }

    private func broken(_ operation: String) -> RedisError {
        isBroken = true
        let message = context.map { $0.pointee.err != 0 ? String(cString: chiredis_errstr($0)) : "no reply" } ?? "not connected"
        return failure(operation, message)
    }

    private func failure(_ operation: String, _ message: String) -> RedisError {
        RedisError(server: endpoint.description, operation: operation, message: message)
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(r.len))) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<Int(r.elements)).map { copy(r.element[$0]!) })
        default:
            return .null
        }
    }

    private static func withArgv<T>(_ arguments: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T) -> T {
        let copies = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { if let base = $0.baseAddress { buffer.initialize(from: base, count: $0.count) } }
            }
            return buffer
        }
        defer { copies.forEach { $0.deallocate() } }
        var pointers = copies.map { UnsafePointer<CChar>?(UnsafePointer($0)) }
        let lengths = arguments.map(\.count)
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
