import DumpTestSupport
import Download
import Foundation
import Testing

/// The downloader against the loopback test server, each file compared with what the real `curl`
/// fetches from the same URL.
@Suite struct DownloaderTests {
    static func downloader(_ adjust: (inout DownloadOptions) -> Void = { _ in }) throws -> Downloader {
        var options = DownloadOptions()
        options.policy = try AddressPolicy(environmentValue: "127.0.0.0/8")
        options.reserve = 0
        adjust(&options)
        return Downloader(options: options)
    }

    /// The file `curl` gets, and its SHA-256.
    static func reference(_ url: String, in directory: TemporaryDirectory) throws -> (Data, String) {
        let path = directory.file("reference-\(UUID().uuidString.prefix(6))")
        try Tool.check("curl", ["-sS", "-o", path, url])
        let digest = try Tool.check("sha256sum", [path]).stdout.split(separator: " ")[0]
        return (try Data(contentsOf: URL(fileURLWithPath: path)), String(digest))
    }

    @Test func oneConnectionGivesCurlsBytesAndDigest() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let url = server.url("/files/fw.zip?size=3000000&seed=7")
        let result = try Self.downloader().download(url, into: directory.path)
        let (expected, digest) = try Self.reference(url, in: directory)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected)
        #expect(result.sha256 == digest && result.size == 3_000_000)
        #expect(result.fileName == "fw.zip" && result.connections == 1 && result.resumes == 0)
    }

    @Test func largeFilesUseRangedConnections() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let url = server.url("/files/big.bin?size=9000000&seed=3")
        let progress = ProgressLog()
        let result = try Self.downloader { $0.splitThreshold = 1 << 20 }.download(url, into: directory.path) { progress.add($0) }
        let (expected, digest) = try Self.reference(url, in: directory)
        #expect(result.connections == 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected)
        #expect(result.sha256 == digest)
        #expect(progress.last?.received == 9_000_000 && progress.last?.total == 9_000_000)
    }

    @Test func aDroppedConnectionResumesToTheSameBytes() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        // The probe is request 1; the data request (2) is cut after 300,000 bytes, then resumed.
        let url = server.url("/files/drop.bin?size=2000000&seed=5&drop=2:300000")
        let result = try Self.downloader().download(url, into: directory.path)
        let (expected, digest) = try Self.reference(server.url("/files/drop.bin?size=2000000&seed=5"), in: directory)
        #expect(result.resumes == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected && result.sha256 == digest)
    }

    @Test func withoutRangesADropStartsOver() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let url = server.url("/files/norange.bin?size=1500000&seed=9&ranges=0&drop=2:400000")
        let result = try Self.downloader().download(url, into: directory.path)
        let (expected, digest) = try Self.reference(server.url("/files/norange.bin?size=1500000&seed=9&ranges=0"), in: directory)
        #expect(result.resumes == 1 && result.size == 1_500_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == expected && result.sha256 == digest)
    }

    @Test func aStallIsCutWithinTheStallTimeout() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let url = server.url("/files/stall.bin?size=1000000&seed=2&stall=9:100000:30")
        let started = ContinuousClock.now
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.stallTimeout = .seconds(2); $0.attempts = 1 }.download(url, into: directory.path)
        }
        #expect(ContinuousClock.now - started < .seconds(6), "cut after about 2 s")
        #expect(error?.description.contains("127.0.0.1") == true && error?.description.contains("no data for 2 s") == true, "\(String(describing: error))")
        #expect(error?.retryable == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "the partial file is removed")
    }

    @Test func redirectsAreFollowedLoopsAreNot() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let target = server.url("/files/after.bin?size=1000&seed=1")
        let chained = try Self.downloader().download(server.url("/chain/3?to=") + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, into: directory.path)
        #expect(chained.size == 1000 && chained.fileName == "after.bin")
        let loop = #expect(throws: DownloadError.self) { try Self.downloader().download(server.url("/loop/A"), into: directory.path) }
        #expect(loop?.description.contains("redirect loop") == true, "\(String(describing: loop))")
    }

    @Test(arguments: [
        ("http://10.1.2.3/fw.zip", "10.1.2.3, a private address"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]:1/x", "loopback"),
        ("ftp://127.0.0.1/fw.zip", "non-http(s)"),
        ("file:///etc/passwd", "non-http(s)"),
    ])
    func redirectsIntoPrivateRangesOrOtherSchemesAreRefused(_ target: String, _ reason: String) throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let url = server.url("/redirect?to=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let error = #expect(throws: DownloadError.self) { try Self.downloader().download(url, into: directory.path) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.retryable == false)
    }

    @Test func publicOnlyByDefault() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let error = #expect(throws: DownloadError.self) {
            try Downloader().download(server.url("/files/x.bin?size=10"), into: directory.path)
        }
        #expect(error?.description.contains("127.0.0.1, a loopback address") == true, "\(String(describing: error))")
        #expect(error?.description.contains("ALLOW_PRIVATE_URLS") == true)
    }

    @Test(arguments: [(404, false, "HTTP 404"), (429, true, "retry after 7 s"), (503, true, "HTTP 503")])
    func errorStatusesNameTheHostAndStatus(_ status: Int, _ retryable: Bool, _ text: String) throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader().download(server.url("/status/\(status)?token=secret"), into: directory.path)
        }
        let message = error?.description ?? ""
        #expect(message.contains("127.0.0.1") && message.contains(text) && message.contains("/status/\(status)"), "\(message)")
        #expect(!message.contains("secret"), "the query is never shown")
        #expect(error?.retryable == retryable)
    }

    @Test func tooLargeIsRefusedBeforeTheFirstByte() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader { $0.maximumSize = 1000 }.download(server.url("/files/big.bin?size=5000"), into: directory.path)
        }
        #expect(error?.description.contains("more than the limit of 1000") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func theServersFileNameIsKeptButMadeSafe() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let named = try Self.downloader().download(server.url("/files/x?size=10&name=fw-v1.zip"), into: directory.path)
        #expect(named.fileName == "fw-v1.zip")
        let hostile = try Self.downloader().download(server.url("/files/x?size=10&name=../../.hidden"), into: directory.path)
        #expect(hostile.fileName == "hidden" && hostile.path == directory.path + "/hidden")
    }

    @Test func cancellingStopsAndRemovesTheFile() throws {
        let server = try HTTPTestServer()
        let directory = try TemporaryDirectory("dl")
        let progress = ProgressLog()
        let error = #expect(throws: DownloadError.self) {
            try Self.downloader().download(server.url("/files/slow.bin?size=4000000&rate=1000000"), into: directory.path) {
                progress.add($0)
            } isCancelled: { (progress.last?.received ?? 0) > 500_000 }
        }
        #expect(error?.description.contains("cancelled") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}

/// Progress reports collected from the downloader's threads.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [DownloadProgress] = []

    func add(_ report: DownloadProgress) {
        lock.lock()
        reports.append(report)
        lock.unlock()
    }

    var last: DownloadProgress? {
        lock.lock()
        defer { lock.unlock() }
        return reports.last
    }
}
