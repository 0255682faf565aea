import Download
import DumpCore
import DumpTestSupport
import Foundation
import Testing

/// Hostile inputs against the downloader's stated guarantees (docs/architecture.md "Downloads",
/// docs/operators-guide.md "Downloads"). A failing test here is a finding; the tests that pass
/// document attacks that held.
@Suite struct AttackTests {
    // MARK: - Helpers

    static func downloader(resolvers: [any LinkResolver] = [], _ adjust: (inout DownloadOptions) -> Void = { _ in }) throws -> Downloader {
        var options = DownloadOptions()
        options.policy = try AddressPolicy(environmentValue: "127.0.0.0/8")
        options.reserve = 0
        options.connectTimeout = .seconds(3)
        adjust(&options)
        return Downloader(options: options, resolvers: resolvers)
    }

    static func sha256(_ path: String) throws -> String {
        String(try Tool.check("sha256sum", [path]).stdout.split(separator: " ")[0])
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes at `url` as the real curl gets them.
    static func curl(_ url: String, _ directory: TemporaryDirectory) throws -> Data {
        let path = directory.file("ref-\(UUID().uuidString.prefix(6))")
        try Tool.check("curl", ["-sS", "-o", path, url])
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    // MARK: - Address policy: the connection must go to the checked address

    /// `http://host:/path` (an empty port, valid in RFC 3986 and taken by curl as the default
    /// port) makes `HTTPTransfer.port(of:)` return nil, so no `CURLOPT_RESOLVE` pin is set and curl
    /// resolves the host again by itself: the address the policy checked is not the one connected
    /// to (DNS rebinding). Shown with `localhost`: glibc (checked) says 127.0.0.1 only, curl's own
    /// resolution also tries ::1, which the policy (127.0.0.0/8 only) refuses. Needs port 80 on ::1.
    @Test(.enabled(if: getuid() == 0, "listening on port 80 needs root"))
    func anEmptyPortDropsTheAddressPin() throws {
        let server: HTTPTestServer
        do { server = try HTTPTestServer(bind: "::1", port: 80) } catch {
            Issue.record("cannot listen on [::1]:80 (is port 80 taken?): \(error)")
            return
        }
        let directory = try TemporaryDirectory("atk")
        let downloader = try Self.downloader()
        // Control: with the port spelled out the pin holds (127.0.0.1:80, where nothing listens).
        #expect(throws: DownloadError.self) {
            try downloader.download("http://localhost:80/files/pin.bin?size=1000", into: directory.path)
        }
        // Attack: same host and port, the port left empty.
        let reached = try? downloader.download("http://localhost:/files/pin.bin?size=1000", into: directory.path)
        #expect(
            reached == nil,
            "the download reached \(server.url("")) (::1), an address the policy refuses and that was never checked: \(String(describing: reached))")
    }

    /// Special-purpose ranges the policy lets through although they are reserved/not global
    /// (RFC 6890 / IANA special-purpose registries), next to ranges it does refuse
    /// (2001:db8::/32 documentation is refused, the IPv4 documentation nets are not).
    @Test(arguments: [
        "192.0.2.1",  // TEST-NET-1 (documentation)
        "198.51.100.1",  // TEST-NET-2 (documentation)
        "203.0.113.1",  // TEST-NET-3 (documentation)
        "64:ff9b:1::a9fe:a9fe",  // local-use NAT64 (RFC 8215) of 169.254.169.254
        "fec0::1",  // site-local (deprecated, still routed in places)
        "100::1",  // discard-only (RFC 6666)
        "::a9fe:a9fe",  // IPv4-compatible ::169.254.169.254 (deprecated, sit0 tunnels it over IPv4)
        "::ffff:0:a9fe:a9fe",  // IPv4-translated (SIIT, RFC 2765) 169.254.169.254
        "2002:a9fe:a9fe::1",  // 6to4 of 169.254.169.254
    ])
    func reservedRangesAreRefused(_ address: String) throws {
        let bytes = try #require(AddressRange.parse(address))
        #expect(AddressRange.nonPublicKind(bytes) != nil, "\(address) passes the policy as public")
    }

    /// Odd spellings of loopback, unspecified, link-local and mapped addresses: all refused
    /// before any connection (held).
    @Test(arguments: [
        "http://0/", "http://0x7f000001/", "http://017700000001/", "http://2130706433/", "http://127.1/", "http://0177.0.0.1/",
        "http://0.0.0.0/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
        "http://LOCALHOST/", "http://localhost./", "http://169.254.169.254./", "http://[fe80::1]/", "http://100.64.0.1/",
        "http://user:pw@127.0.0.1/", "http://[::1]:80/", "http://[64:ff9b::a9fe:a9fe]/", "http://0x7f.1/", "http://[::ffff:10.0.0.1]/",
    ])
    func oddSpellingsOfPrivateAddressesAreRefused(_ url: String) throws {
        let directory = try TemporaryDirectory("atk")
        var options = DownloadOptions()
        options.connectTimeout = .seconds(2)
        let error = #expect(throws: DownloadError.self) { try Downloader(options: options).download(url + "fw.zip", into: directory.path) }
        let text = error?.description ?? ""
        #expect(text.contains("refused") || text.contains("does not resolve"), "\(text)")
        #expect(!text.contains("pw"), "\(text)")
    }

    /// `ALLOW_PRIVATE_URLS` with an empty item between commas (an operator's typo): the worker
    /// traps (`parts[0]` of an empty split in `AddressRange.init`) instead of naming the bad item.
    @Test func aBlankItemInAllowPrivateURLsIsAnErrorNotACrash() async {
        await #expect(processExitsWith: .success) {
            _ = try? AddressPolicy(environmentValue: "10.0.0.0/8, ,fd00::/8")
        }
    }

    // MARK: - Dedup index (SourceKey)

    /// Old-style MEGA links (`mega.nz/#!<handle>!<key>`) carry the file's handle in the fragment,
    /// which SourceKey drops: every such link gets the key of `https://mega.nz/`. One dumped
    /// old-style link makes every other one "already dumped" (pointing at the first repository).
    @Test func oldStyleMEGALinksOfDifferentFilesShareOneDedupKey() throws {
        let first = "https://mega.nz/#!Xy7Ab3cD!" + Self.base64url((0..<32).map { UInt8($0) })
        let second = "https://mega.nz/#!Qq9Zz8Yy!" + Self.base64url((0..<32).map { UInt8(200 - $0) })
        // Different files: the resolver asks MEGA's API for different handles.
        guard case .fetch(let one) = MEGAResolver().next(for: first, after: []), case .fetch(let two) = MEGAResolver().next(for: second, after: [])
        else {
            Issue.record("the resolver did not take the links")
            return
        }
        #expect(one.body != two.body)
        #expect(
            SourceKey.key(first) != SourceKey.key(second),
            "both normalise to \(SourceKey.normalized(first) ?? "nil") and \(SourceKey.normalized(second) ?? "nil")")
        #expect(SourceKey.key(first) == SourceKey.key("https://MEGA.nz/#!Xy7Ab3cD!anotherKeySpelling"), "the handle picks the file, not the key")
        #expect(SourceKey.normalized(first)?.contains("AAECAw") == false, "no decryption key in the normalised form")
    }

    /// Pixeldrain list links choose the file with `#item=N`: SourceKey drops the fragment, so
    /// item 1 of a list is "already dumped" once item 0 was.
    @Test func pixeldrainListItemsShareOneDedupKey() throws {
        let list = FetchedPage(
            status: 200, url: "https://pixeldrain.com/api/list/AbCd1234", headers: ["content-type": "application/json"],
            body: Array(#"{"success":true,"files":[{"id":"FileA111","name":"a.zip","size":10},{"id":"FileB222","name":"b.zip","size":20}]}"#.utf8))
        let zero = "https://pixeldrain.com/l/AbCd1234#item=0"
        let one = "https://pixeldrain.com/l/AbCd1234#item=1"
        let resolver = PixeldrainResolver()
        guard case .download(let a) = resolver.next(for: zero, after: [list]), case .download(let b) = resolver.next(for: one, after: [list]) else {
            Issue.record("the resolver did not resolve the list")
            return
        }
        #expect(a.url != b.url, "different files")
        #expect(SourceKey.key(zero) != SourceKey.key(one), "both normalise to \(SourceKey.normalized(zero) ?? "nil")")
    }

    /// The same URL spelled differently matches (held).
    @Test func spellingsOfOneURLShareTheirKey() {
        let plain = SourceKey.key("https://example.com/fw/a.zip?x=1")
        #expect(plain != nil)
        for variant in ["HTTPS://EXAMPLE.COM/fw/a.zip?x=1", "https://example.com:443/fw/a.zip?x=1", "https://u:p@example.com/fw/a.zip?x=1#frag"] {
            #expect(SourceKey.key(variant) == plain, "\(variant)")
        }
        #expect(SourceKey.key("https://example.com/fw/A.zip?x=1") != plain)
        #expect(SourceKey.key("http://example.com/fw/a.zip?x=1") != plain)
        #expect(SourceKey.key("https://example.com/fw/a.zip?x=2") != plain)
    }

    // MARK: - Resume and changing files

    /// The file changes on the server between the first request and the resume (new ETag and
    /// Last-Modified, same size). The downloader neither sends `If-Range` nor compares the
    /// validators: the result is the old file's first 300,000 bytes followed by the new file's
    /// rest, accepted with a SHA-256 of that mix.
    @Test func aFileChangedBeforeTheResumeIsNotSplicedIntoAMix() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        // Request 1 is the probe, 2 the data (seed 5, cut after 300,000 bytes), 3 the resume (seed 6).
        let url = server.url("/files/changing.bin?size=2000000&seed=5&drop=2:300000&switch=2:6")
        let old = try Self.curl(server.url("/files/ref.bin?size=2000000&seed=5"), directory)
        let new = try Self.curl(server.url("/files/ref.bin?size=2000000&seed=6"), directory)
        let result: DownloadResult
        do { result = try Self.downloader().download(url, into: directory.path) } catch {
            return  // refusing the changed file is right
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: result.path))
        #expect(bytes == old || bytes == new, "accepted a splice: first 300,000 bytes old \(bytes.prefix(300_000) == old.prefix(300_000)), rest new \(bytes.dropFirst(300_000) == new.dropFirst(300_000))")
    }

    /// Without ranges a dropped connection starts over, but the digest follower keeps what it
    /// already hashed from the first attempt: when the second answer differs (the file changed,
    /// or a hostile server), the reported SHA-256 is not the SHA-256 of the file on disk. A server
    /// can so file its own bytes under another firmware's digest in the dedup index.
    @Test func aRestartWithoutRangesReportsTheDigestOfTheFileOnDisk() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let url = server.url("/files/restart.bin?size=2000000&seed=5&ranges=0&drop=2:300000&switch=2:6")
        let result: DownloadResult
        do { result = try Self.downloader().download(url, into: directory.path) } catch {
            return  // refusing is right
        }
        let onDisk = try Self.sha256(result.path)
        #expect(result.resumes == 1)
        #expect(result.sha256 == onDisk, "reported \(result.sha256), the file's bytes hash to \(onDisk)")
    }

    /// Same server, same file: a restart without ranges still gives the right digest (held).
    @Test func aRestartOfAnUnchangedFileKeepsItsDigest() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let result = try Self.downloader().download(server.url("/files/same.bin?size=2000000&seed=5&ranges=0&drop=2:300000"), into: directory.path)
        #expect(result.sha256 == (try Self.sha256(result.path)) && result.resumes == 1)
    }

    /// Four ranged connections, the first three data answers cut: byte-identical to curl (held).
    @Test func dropsOnSeveralRangedConnectionsResumeToTheSameBytes() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let result = try Self.downloader { $0.splitThreshold = 1 << 20 }.download(
            server.url("/files/multi.bin?size=9000000&seed=8&drop=4:70000"), into: directory.path)
        let expected = try Self.curl(server.url("/files/ref.bin?size=9000000&seed=8"), directory)
        #expect(result.connections == 4 && result.resumes >= 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected)
        #expect(result.sha256 == (try Self.sha256(result.path)))
    }

    /// Not enough disk for the announced size and the reserve: refused before the first byte (held).
    @Test func theFreeDiskCheckRefusesBeforeTheFirstByte() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.reserve = 1 << 55 }.download(server.url("/files/disk.bin?size=1000"), into: directory.path)
        }
        #expect(error?.description.contains("not enough disk space") == true && error?.retryable == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    // MARK: - Lying servers (held)

    static func raw(_ directory: TemporaryDirectory, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func chunked(_ total: Int, chunk: Int = 65536) -> [UInt8] {
        var out = Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var left = total
        while left > 0 {
            let n = min(chunk, left)
            out += Array((String(n, radix: 16) + "\r\n").utf8) + [UInt8](repeating: 0x41, count: n) + Array("\r\n".utf8)
            left -= n
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// Chunked, no length: the size limit cuts it while it grows (held).
    @Test func theSizeLimitHoldsWithoutAContentLength() throws {
        let directory = try TemporaryDirectory("atk")
        let file = try Self.raw(directory, "chunked", Self.chunked(3_000_000))
        let server = try HTTPTestServer(routes: [["path": "/big", "raw": file]])
        let out = directory.path + "/out"
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.maximumSize = 1_000_000 }.download(server.url("/big"), into: out, createDirectory: true)
        }
        #expect(error?.description.contains("past the limit") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    /// The probe says 1,000 bytes (Content-Range), the data answer then sends 2,000: refused,
    /// never a longer file (held).
    @Test func moreBytesThanTheProbeSaidAreRefused() throws {
        let directory = try TemporaryDirectory("atk")
        let probe = try Self.raw(directory, "probe", Array("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-0/1000\r\nContent-Length: 1\r\n\r\nA".utf8))
        let data = try Self.raw(
            directory, "data",
            Array("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1999/2000\r\nContent-Length: 2000\r\n\r\n".utf8) + [UInt8](repeating: 0x42, count: 2000))
        let server = try HTTPTestServer(routes: [["path": "/lie", "raw": [probe, data]]])
        let out = directory.path + "/o"
        let error = #expect(throws: DownloadError.self) { try Self.downloader().download(server.url("/lie"), into: out, createDirectory: true) }
        // Caught by the size check of the data answer's Content-Range, before any byte is written.
        #expect(error?.description.contains("its size went from 1000 to 2000 bytes") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    /// The probe says 200 with Content-Length 5,000; the data answer is cut short with a
    /// Content-Length that matches what it sent (1,000): resumed/refused, never a short file (held).
    @Test func fewerBytesThanTheProbeSaidAreNeverAFile() throws {
        let directory = try TemporaryDirectory("atk")
        let probe = try Self.raw(directory, "probe", Array("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 5000))
        let short = try Self.raw(directory, "short", Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 1000))
        let server = try HTTPTestServer(routes: [["path": "/short", "raw": [probe, short]]])
        let out = directory.path + "/o"
        let started = ContinuousClock.now
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.attempts = 2 }.download(server.url("/short"), into: out, createDirectory: true)
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.retryable == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    // MARK: - Timeouts (held)

    /// A server that accepts and never answers: cut by the stall timeout (held).
    @Test func aSilentServerIsCutByTheStallTimeout() throws {
        let directory = try TemporaryDirectory("atk")
        let nothing = try Self.raw(directory, "nothing", [])
        let server = try HTTPTestServer(routes: [["path": "/silent", "raw": nothing, "sleep": 30]])
        let started = ContinuousClock.now
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.stallTimeout = .seconds(2); $0.attempts = 1 }.download(server.url("/silent"), into: directory.path + "/o", createDirectory: true)
        }
        #expect(ContinuousClock.now - started < .seconds(5), "\(String(describing: error))")
        #expect(error?.description.contains("no data for 2 s") == true, "\(String(describing: error))")
    }

    /// Headers dripped a byte at a time, never ending: cut (no body byte for the stall time) (held).
    @Test func endlessHeadersAreCut() throws {
        let directory = try TemporaryDirectory("atk")
        let headers = try Self.raw(directory, "headers", Array(("HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 2000)).utf8))
        let server = try HTTPTestServer(routes: [["path": "/endless", "raw": headers, "drip": 0.005]])
        let started = ContinuousClock.now
        #expect(throws: DownloadError.self) {
            try Self.downloader { $0.stallTimeout = .seconds(2); $0.attempts = 1 }.download(server.url("/endless"), into: directory.path + "/o", createDirectory: true)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// A body dripped fast enough never to stall: the total timeout ends it, resumes included (held).
    @Test func aDrippedBodyHitsTheTotalTimeout() throws {
        let directory = try TemporaryDirectory("atk")
        let slow = try Self.raw(directory, "slow", Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 100_000))
        let server = try HTTPTestServer(routes: [["path": "/drip", "raw": slow, "drip": 0.01]])
        let started = ContinuousClock.now
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.stallTimeout = .seconds(2); $0.totalTimeout = .seconds(4) }.download(
                server.url("/drip"), into: directory.path + "/o", createDirectory: true)
        }
        #expect(ContinuousClock.now - started < .seconds(7), "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/o").isEmpty)
    }

    // MARK: - Error messages: no credentials, no query, no private host

    /// A link a resolver does not accept is quoted whole in the job's error: query tokens,
    /// credentials and MEGA's key (the fragment) included.
    @Test(arguments: [
        ("https://drive.google.com/open?id=short&token=SECRET-TOKEN-1", "SECRET-TOKEN-1"),
        ("https://alice:hunter2@pixeldrain.com/x/AbC123", "hunter2"),
        ("https://www.mediafire.com/file/a!b/fw.zip?dkey=SECRET-TOKEN-2", "SECRET-TOKEN-2"),
        ("https://mega.nz/file/ThisHandleIsTooLongForMEGA#" + "bWVnYWtleW1lZ2FrZXltZWdha2V5bWVnYWtleW1lZ2E", "bWVnYWtleW1lZ2FrZXltZWdha2V5bWVnYWtleW1lZ2E"),
    ])
    func resolverFailuresDoNotQuoteSecretsOfTheLink(_ url: String, _ secret: String) throws {
        let directory = try TemporaryDirectory("atk")
        let error = #expect(throws: DownloadError.self) { try Self.downloader(resolvers: LinkResolvers.all).download(url, into: directory.path) }
        #expect(error?.description.contains(secret) == false, "\(String(describing: error))")
    }

    /// The worker redacts a private job's failure with `JobRequest.redacting`, which looks for the
    /// URL's host as written; the downloader's messages name it lower-cased (and IPv6 literals
    /// without brackets), so the host shows through.
    @Test(arguments: [
        "http://Mirror.Secret-Vendor.invalid/fw.zip",
        "http://[2001:db8::7]/fw.zip",
    ])
    func aPrivateJobsErrorNeverNamesItsHost(_ url: String) throws {
        let directory = try TemporaryDirectory("atk")
        let error = #expect(throws: DownloadError.self) { try Downloader().download(url, into: directory.path) }
        // What the worker shows for a private job, then the redaction every message goes through.
        let shown = JobRequest(url: url, isPrivate: true).redacting("download failed: \(error?.withheldDescription ?? "")")
        let host = HostPart.of(url)
        let anyStep = JobRequest(url: url, isPrivate: true).redacting("unpack failed: \(host.lowercased()) and \(host.uppercased())")
        #expect(!anyStep.lowercased().contains(host.lowercased()), "\(anyStep)")
        #expect(!shown.lowercased().contains(host.lowercased()), "\(shown)")
    }

    /// A private job whose server redirects: the failure names the redirect target's host and path
    /// (with the file's name), which the redaction of the job's own URL does not cover.
    @Test func aPrivateJobsRedirectTargetIsNotNamed() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let target = "http://127.0.0.2:1/vendor-internal/secret-build-7.zip"
        let url = server.url("/redirect?to=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let error = #expect(throws: DownloadError.self) { try Self.downloader().download(url, into: directory.path) }
        let shown = JobRequest(url: url, isPrivate: true).redacting("download failed: \(error?.withheldDescription ?? "")")
        #expect(!shown.contains("127.0.0.2") && !shown.contains("secret-build-7"), "\(shown)")
        #expect(shown.contains("HTTP 302") || shown.contains("did not succeed"), "\(shown)")
    }

    /// A public job's failure shows neither the query nor credentials (held).
    @Test func curlFailuresHideQueryAndCredentials() throws {
        let directory = try TemporaryDirectory("atk")
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader().download("http://bob:s3cret@127.0.0.1:1/fw.zip?token=TOPSECRET#frag", into: directory.path)
        }
        let text = error?.description ?? ""
        #expect(text.contains("127.0.0.1") && !text.contains("TOPSECRET") && !text.contains("s3cret") && !text.contains("bob"), "\(text)")
    }

    // MARK: - Redirects (held)

    @Test func tenRedirectsAreFollowedElevenAreNot() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("atk")
        let target = server.url("/files/r.bin?size=100").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let ten = try Self.downloader().download(server.url("/chain/10?to=\(target)"), into: directory.path)
        #expect(ten.size == 100)
        let error = #expect(throws: DownloadError.self) { try Self.downloader().download(server.url("/chain/11?to=\(target)"), into: directory.path) }
        #expect(error?.description.contains("more than 10 redirects") == true, "\(String(describing: error))")
    }

    /// A resolver's page (here Pixeldrain's file info) that redirects in a loop: bounded, but
    /// reported as "more than 10 redirects", not as the loop it is (`Session.fetchPage` keeps no
    /// visited set, unlike `Session.open`).
    @Test func aRedirectLoopOnAResolverPageIsNamed() throws {
        let directory = try TemporaryDirectory("atk")
        let empty = try Self.raw(directory, "empty", [])
        let server = try HTTPTestServer(routes: [
            ["path": "/api/file/AbC123/info", "status": 302, "headers": ["Location": "/loop/A", "Content-Type": "text/plain"], "file": empty]
        ])
        var options = DownloadOptions()
        options.policy = try AddressPolicy(environmentValue: "127.0.0.0/8")
        options.reserve = 0
        options.hostRewrites = ["pixeldrain.com": server.url("")]
        let error = #expect(throws: DownloadError.self) {
            try Downloader(options: options, resolvers: LinkResolvers.all).download("https://pixeldrain.com/u/AbC123", into: directory.path + "/o", createDirectory: true)
        }
        #expect(error?.description.contains("redirect loop") == true, "\(String(describing: error))")
    }

    // MARK: - File names (held)

    @Test(arguments: [
        "../../../../tmp/evil", "/etc/passwd", "..", ".", "a\u{0}b", String(repeating: "é", count: 400), "..%2F..%2Fx", "\\..\\..\\x",
        "fw\u{202E}piz.exe", "a/../../b",
    ])
    func serverFileNamesStayInTheDirectory(_ name: String) throws {
        let directory = try TemporaryDirectory("atk")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        // As `filename*=` (percent-encoded UTF-8, NUL included) and as a raw UTF-8 `filename=`.
        let headers = ["filename*=UTF-8''\(encoded)", "filename=\"\(name.replacingOccurrences(of: "\u{0}", with: ""))\""]
        for (index, header) in headers.enumerated() {
            let answer = try Self.raw(
                directory, "answer\(index)", Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Disposition: attachment; \(header)\r\n\r\n0123456789".utf8))
            let server = try HTTPTestServer(routes: [["path": "/name", "raw": answer]])
            let out = directory.path + "/out\(index)"
            let result = try Self.downloader().download(server.url("/name"), into: out, createDirectory: true)
            #expect((result.path as NSString).deletingLastPathComponent == out, "\(result.path)")
            #expect(!result.fileName.hasPrefix(".") && !result.fileName.contains("/") && !result.fileName.contains("\u{0}") && result.fileName.utf8.count <= 200, "\(result.fileName)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [result.fileName])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix("answer") }.sorted() == ["out0", "out1"])
    }

    // MARK: - Resolvers (held)

    @Test func resolversSurviveHostileAnswers() {
        let deep = FetchedPage(status: 200, url: "https://x", headers: ["content-type": "application/json"], body: [UInt8](repeating: UInt8(ascii: "["), count: 4 << 20))
        let deepObject = FetchedPage(
            status: 200, url: "https://x", headers: ["content-type": "application/json"],
            body: Array(String(repeating: #"{"a":"#, count: 500_000).utf8))
        let html = FetchedPage(
            status: 200, url: "https://www.mediafire.com/file/abcd1234/x", headers: ["content-type": "text/html"],
            body: Array(String(repeating: "<a id=downloadButton data-scrambled-url='!!!' href='&#99999999999;&#xD800;&#x110000;'><script>", count: 30_000).utf8))
        let key = Self.base64url((0..<32).map { UInt8($0) })
        let links: [(String, [FetchedPage])] = [
            ("https://pixeldrain.com/u/AbC123", [deep]), ("https://pixeldrain.com/l/AbC123", [deepObject]),
            ("https://mega.nz/file/Xy7Ab3cD#\(key)", [deep]),
            ("https://mega.nz/file/Xy7Ab3cD#\(key)", [FetchedPage(status: 200, url: "https://x", body: Array(#"[{"s":-5,"at":"%%%","g":"http://a"}]"#.utf8))]),
            ("https://mega.nz/file/Xy7Ab3cD#\(key)", [FetchedPage(status: 200, url: "https://x", body: Array(#"[{"s":1e400,"at":"AAAA","g":"http://a"}]"#.utf8))]),
            ("https://mega.nz/file/Xy7Ab3cD#\(key)", [FetchedPage(status: 200, url: "https://x", body: Array(#"[-99999999999999999999999]"#.utf8))]),
            ("https://www.mediafire.com/file/abcd1234/x", [html]),
            ("https://drive.google.com/file/d/0123456789abcdef/view", [FetchedPage(status: 200, url: "https://drive.usercontent.google.com/x", headers: ["content-type": "text/html"], body: html.body)]),
            ("https://sourceforge.net/projects/p/files/latest/download", [html]),
        ]
        for (link, pages) in links {
            let started = ContinuousClock.now
            let step = LinkResolvers.resolver(for: link)?.next(for: link, after: pages)
            #expect(ContinuousClock.now - started < .seconds(5), "\(link)")
            if case .fetch = step { Issue.record("\(link): asks again after a hostile answer") }
        }
    }
}



/// The host of a URL as written (brackets dropped).
enum HostPart {
    static func of(_ url: String) -> String {
        let rest = url.components(separatedBy: "://").last ?? url
        var authority = String(rest.prefix { $0 != "/" })
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") { authority = String(authority[authority.index(after: authority.startIndex)..<close]) }
        return authority
    }
}
