public import DumpCore
public import Foundation

/// Paths of the checkout and its fixtures, for tests.
public enum TestPaths {
    /// The package's root directory.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A committed fixture, e.g. `fixture("sample-firmware.zip")` or `fixture("bad/truncated.zip")`.
    public static func fixture(_ name: String) -> String { packageRoot + "/fixtures/" + name }

    /// The debug `dumpyard` binary built next to the tests.
    public static var dumpyardBinary: String {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().path
        for candidate in [bundle + "/dumpyard", packageRoot + "/.build/debug/dumpyard"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return packageRoot + "/.build/debug/dumpyard"
    }
}

/// A fresh directory that is removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "test") throws {
        let base = URL(fileURLWithPath: ProcessInfo.processInfo.environment["DUMPYARD_TEST_TMP"] ?? NSTemporaryDirectory())
            .standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base + "/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }
}

/// The outcome of running a tool.
public struct ToolOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: Data
}

/// Runs the real tools tests compare against (git, debugfs, fsck.erofs, img2simg, …).
public enum Tool {
    /// Runs `tool` with `arguments`; the tool is looked up in PATH and the sbin directories.
    @discardableResult
    public static func run(
        _ tool: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: Data? = nil
    ) throws -> ToolOutput {
        let process = Process()
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        let executable = tool.hasPrefix("/") ? tool : searched.map { $0 + "/" + tool }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let executable else { throw ToolMissing(tool: tool) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try inPipe.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so neither fills up.
        let errData = LockedData()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ToolOutput(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self), stdoutBytes: outData)
    }

    /// Runs `tool` and fails unless it exits 0.
    @discardableResult
    public static func check(_ tool: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> ToolOutput {
        let output = try run(tool, arguments, in: directory, environment: environment)
        guard output.status == 0 else { throw ToolFailed(tool: tool, arguments: arguments, output: output) }
        return output
    }
}

final class LockedData: @unchecked Sendable {
    // Guarded by `lock`; written once by the reader thread, read after the group finished.
    private var data = Data()
    private let lock = NSLock()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

public struct ToolMissing: Error, CustomStringConvertible {
    public var tool: String
    public var description: String { "\(tool) is not installed (run scripts/setup.sh)" }
}

public struct ToolFailed: Error, CustomStringConvertible {
    public var tool: String
    public var arguments: [String]
    public var output: ToolOutput
    public var description: String { "\(tool) \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)" }
}

/// Bytes in memory as a `ByteSource`, read in pieces of at most `chunk` bytes (to exercise short reads).
public struct BytesSource: ByteSource {
    public var bytes: [UInt8]
    public var offset = 0
    public var chunk: Int

    public init(bytes: [UInt8], chunk: Int = .max) {
        self.bytes = bytes
        self.chunk = chunk
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset, chunk)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
        offset += n
        return n
    }
}

/// A real redis-server for one test: its own directory, a free loopback port, AOF on; killed
/// (SIGKILL: children of Swift Testing ignore SIGTERM) when released.
public final class RedisServer: @unchecked Sendable {
    public let port: Int
    public let password: String?
    public let directory: TemporaryDirectory
    private let process: Process

    public convenience init(password: String? = nil) throws {
        try self.init(directory: try TemporaryDirectory("redis"), port: try Self.freePort(), password: password)
    }

    /// A new server on the port and data directory of `stopped` (a restart after a kill).
    public convenience init(reusing stopped: RedisServer) throws {
        try self.init(directory: stopped.directory, port: stopped.port, password: stopped.password)
    }

    private init(directory: TemporaryDirectory, port: Int, password: String?) throws {
        self.directory = directory
        self.port = port
        self.password = password
        process = Process()
        let executable = ["/usr/bin/redis-server", "/usr/sbin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else { throw ToolMissing(tool: "redis-server") }
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path, "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--logfile", directory.file("redis.log"),
        ]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when the port accepts connections.
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw ToolFailed(tool: "redis-server", arguments: arguments, output: ToolOutput(status: -1, stdout: "", stderr: "did not start", stdoutBytes: Data()))
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// `redis://[:password@]127.0.0.1:port/db`.
    public func url(database: Int = 0) -> String {
        "redis://" + (password.map { ":\($0)@" } ?? "") + "127.0.0.1:\(port)/\(database)"
    }

    /// Freezes the server (SIGSTOP): clients connect but get no answer.
    public func pause() { kill(process.processIdentifier, SIGSTOP) }

    /// Lets a paused server go on (SIGCONT).
    public func resume() { kill(process.processIdentifier, SIGCONT) }

    /// Kills the server (kill -9).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A loopback port nothing listens on (at the time of the call).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw ToolMissing(tool: "a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The download tests' loopback HTTP server (`fixtures/http/testserver.py`), killed with SIGKILL
/// when released.
public final class HTTPTestServer: @unchecked Sendable {
    public let port: Int
    /// The address in URLs (an IPv6 one in brackets).
    public let host: String
    private let process: Process
    private let directory: TemporaryDirectory

    /// `routes`: canned answers (see the server's usage), written as JSON for it. `bind` and
    /// `port` (0: a free one) say where it listens.
    public init(routes: [[String: Any]] = [], bind: String = "127.0.0.1", port: Int = 0) throws {
        directory = try TemporaryDirectory("http")
        let portFile = directory.file("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestPaths.fixture("http/testserver.py"), portFile]
        if !routes.isEmpty {
            let file = directory.file("routes.json")
            try JSONSerialization.data(withJSONObject: routes).write(to: URL(fileURLWithPath: file))
            process.arguments?.append(file)
        }
        process.arguments? += ["--bind", bind, "--port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) {
            guard Date() < deadline, process.isRunning else {
                kill(process.processIdentifier, SIGKILL)
                throw ToolMissing(tool: "the test HTTP server (python3 fixtures/http/testserver.py) on \(bind):\(port)")
            }
            usleep(20_000)
        }
        self.port = Int((try String(contentsOfFile: portFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        host = bind.contains(":") ? "[\(bind)]" : bind
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// `http://<host>:<port><path>`.
    public func url(_ path: String) -> String { "http://\(host):\(port)" + path }
}
