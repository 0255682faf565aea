import DumpTestSupport
import Foundation
import Redis
import Testing

@Suite struct RedisEndpointTests {
    @Test(arguments: [
        ("redis://127.0.0.1", RedisEndpoint(host: "127.0.0.1")),
        ("redis://cache:6380/2", RedisEndpoint(host: "cache", port: 6380, database: 2)),
        ("redis://:s3cr%40t@host", RedisEndpoint(host: "host", password: "s3cr@t")),
        ("redis://worker:pw@host:1/0", RedisEndpoint(host: "host", port: 1, user: "worker", password: "pw")),
        ("redis://[::1]:7000/5", RedisEndpoint(host: "::1", port: 7000, database: 5)),
        ("redis://user@host/", RedisEndpoint(host: "host", user: "user")),
    ])
    func parses(url: String, expected: RedisEndpoint) throws {
        #expect(try RedisEndpoint(url: url) == expected)
    }

    @Test(arguments: ["http://host", "rediss://host", "redis://", "redis://host:0", "redis://host:99999", "redis://host/x", "redis://:%zz@host", "redis://[::1"])
    func refuses(url: String) {
        #expect(throws: RedisEndpoint.URLError.self) { try RedisEndpoint(url: url) }
    }

    @Test func theDescriptionHidesThePassword() throws {
        let endpoint = try RedisEndpoint(url: "redis://worker:hunter2@db.example:6380/3")
        #expect(endpoint.description == "redis://worker:***@db.example:6380/3")
        #expect(!"\(endpoint)".contains("hunter2"))
    }
}

/// The hiredis wrapper against a real redis-server on loopback.
@Suite struct RedisConnectionTests {
    @Test func binarySafeValuesPipelinesAndErrorReplies() throws {
        let server = try RedisServer()
        let redis = try RedisConnection(try RedisEndpoint(url: server.url()), clientName: "dumpyard-test")
        let value: [UInt8] = [0, 1, 2, 0, 255] + Array(repeating: 0x41, count: 1 << 20)
        #expect(try redis.command([Array("SET".utf8), Array("k\0ey".utf8), value]) == .status("OK"))
        #expect(try redis.command([Array("GET".utf8), Array("k\0ey".utf8)]) == .string(value))
        #expect(try redis.command("GET", "missing") == .null)
        let replies = try redis.pipeline((0..<100).map { _ in [Array("INCR".utf8), Array("n".utf8)] })
        #expect(replies.map(\.integer) == (1...100).map { Int64($0) })
        #expect(try redis.command("RPUSH", "list", "a", "b") == .integer(2))
        #expect(try redis.command("LRANGE", "list", "0", "-1") == .array([.string(Array("a".utf8)), .string(Array("b".utf8))]))
        // An error reply leaves the connection usable.
        guard case .error(let message) = try redis.command("INCR", "list") else { Issue.record("no error reply"); return }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(try redis.command("PING") == .status("PONG"))
        #expect(try redis.command("CLIENT", "GETNAME").text == "dumpyard-test")
    }

    @Test func passwordAndDatabaseFromTheURL() throws {
        let server = try RedisServer(password: "hunter2")
        let db3 = try RedisConnection(try RedisEndpoint(url: server.url(database: 3)))
        try db3.command("SET", "where", "three")
        let db0 = try RedisConnection(try RedisEndpoint(url: server.url()))
        #expect(try db0.command("GET", "where") == .null)
        #expect(try db3.command("GET", "where").text == "three")
        #expect {
            _ = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: server.port, password: "wrong-secret"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("AUTH failed") && !text.contains("wrong-secret") && text.contains("***")
        }
    }

    @Test func aRefusedConnectionNamesTheServer() throws {
        let server = try RedisServer()
        let port = server.port
        server.stop()
        #expect {
            _ = try RedisConnection(RedisEndpoint(host: "127.0.0.1", port: port), connectTimeout: .seconds(2))
        } throws: { error in
            "\(error)".contains("redis://127.0.0.1:\(port)/0: connect failed")
        }
    }

    @Test func aCommandTimeoutBreaksTheConnectionAndReconnectRestoresIt() throws {
        let server = try RedisServer()
        let redis = try RedisConnection(try RedisEndpoint(url: server.url()), commandTimeout: .milliseconds(500))
        let started = ContinuousClock.now
        #expect(throws: RedisError.self) { try redis.command("BLPOP", "nothing", "3") }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(redis.isBroken)
        #expect(throws: RedisError.self) { try redis.command("PING") }
        try redis.reconnect()
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func interruptWakesABlockedCommandFromAnotherThread() throws {
        let server = try RedisServer()
        let redis = try RedisConnection(try RedisEndpoint(url: server.url()), commandTimeout: .seconds(30))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { redis.interrupt() }
        let started = ContinuousClock.now
        #expect(throws: RedisError.self) { try redis.command("BLPOP", "nothing", "20") }
        #expect(ContinuousClock.now - started < .seconds(3))
        try redis.reconnect()
        #expect(try redis.command("PING") == .status("PONG"))
    }

    @Test func aServerKilledAndRestartedIsReachedAgainWithItsData() throws {
        let server = try RedisServer()
        let redis = try RedisConnection(try RedisEndpoint(url: server.url()))
        try redis.command("SET", "kept", "yes")
        server.stop()
        #expect(throws: RedisError.self) { try redis.command("GET", "kept") }
        let again = try RedisServer(reusing: server)
        try redis.reconnect()
        #expect(try redis.command("GET", "kept").text == "yes", "AOF always keeps acknowledged writes across kill -9")
        withExtendedLifetime(again) {}
    }
}
