import DumpTestSupport
import Download
import Foundation
import Testing

/// The downloader driving the resolvers against stand-ins of the file hosts served on loopback:
/// the same requests as on the real hosts, answered by the test server.
@Suite struct HostStandInTests {
    /// Random bytes in a file, and their SHA-256.
    static func firmware(_ directory: TemporaryDirectory, size: Int) throws -> (path: String, bytes: Data, digest: String) {
        let path = directory.file("plain.bin")
        try Tool.check("head", ["-c", String(size), "/dev/urandom"]).stdoutBytes.write(to: URL(fileURLWithPath: path))
        let digest = try Tool.check("sha256sum", [path]).stdout.split(separator: " ")[0]
        return (path, try Data(contentsOf: URL(fileURLWithPath: path)), String(digest))
    }

    static func downloader(_ server: HTTPTestServer, hosts: [String]) throws -> Downloader {
        var options = DownloadOptions()
        options.policy = try AddressPolicy(environmentValue: "127.0.0.0/8")
        options.reserve = 0
        options.splitThreshold = 1 << 20
        options.hostRewrites = Dictionary(uniqueKeysWithValues: hosts.map { ($0, server.url("")) })
        return Downloader(options: options, resolvers: LinkResolvers.all)
    }

    static func write(_ text: String, _ directory: TemporaryDirectory, _ name: String) throws -> String {
        let path = directory.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aMEGALinkIsDownloadedInPartsAndDecrypted() throws {
        let directory = try TemporaryDirectory("mega")
        let plain = try Self.firmware(directory, size: 3_000_017)
        let linkKey: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 53 &+ 7) }
        let key = (0..<16).map { linkKey[$0] ^ linkKey[$0 + 16] }
        let counter = Array(linkKey[16..<24]) + [UInt8](repeating: 0, count: 8)
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        let sealed = directory.file("sealed.bin")
        try Tool.check("openssl", ["enc", "-aes-128-ctr", "-K", hex(key), "-iv", hex(counter), "-nopad", "-in", plain.path, "-out", sealed])
        var attributes = Array(#"MEGA{"n":"gravel_fastboot.tgz"}"#.utf8)
        attributes += [UInt8](repeating: 0, count: (16 - attributes.count % 16) % 16)
        let attributesFile = directory.file("attributes")
        try Data(attributes).write(to: URL(fileURLWithPath: attributesFile))
        let at = try Tool.check("openssl", ["enc", "-aes-128-cbc", "-K", hex(key), "-iv", String(repeating: "0", count: 32), "-nopad", "-in", attributesFile]).stdoutBytes
        let base64url = { (data: Data) in data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }
        let answer = try Self.write(
            #"[{"s":\#(plain.bytes.count),"at":"\#(base64url(at))","g":"http://gfs1.userstorage.mega.co.nz/dl/Zz9"}]"#, directory, "answer.json")
        let server = try HTTPTestServer(routes: [
            ["method": "POST", "path": "/cs", "status": 200, "headers": ["Content-Type": "application/json"], "file": answer],
            ["method": "GET", "path": "/dl/Zz9", "file": sealed],
        ])
        let downloader = try Self.downloader(server, hosts: ["g.api.mega.co.nz", "gfs1.userstorage.mega.co.nz"])
        let link = "https://mega.nz/file/Ab12Cd34#" + base64url(Data(linkKey))
        let result = try downloader.download(link, into: directory.path + "/out-mega", createDirectory: true)
        #expect(result.fileName == "gravel_fastboot.tgz")
        #expect(result.connections > 1, "parts decrypt from their own offsets")
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == plain.bytes)
        #expect(result.sha256 == plain.digest)
    }

    @Test func aPixeldrainLinkGoesThroughItsFileAPI() throws {
        let directory = try TemporaryDirectory("pixeldrain")
        let plain = try Self.firmware(directory, size: 200_000)
        let info = try Self.write(#"{"success":true,"id":"AbC123","name":"fw.zip","size":\#(plain.bytes.count)}"#, directory, "info.json")
        let server = try HTTPTestServer(routes: [
            ["path": "/api/file/AbC123/info", "status": 200, "headers": ["Content-Type": "application/json"], "file": info],
            ["path": "/api/file/AbC123", "file": plain.path],
        ])
        let result = try Self.downloader(server, hosts: ["pixeldrain.com"]).download(
            "https://pixeldrain.com/u/AbC123", into: directory.path + "/out", createDirectory: true)
        #expect(result.fileName == "fw.zip" && result.sha256 == plain.digest)
    }

    @Test func aLargeGoogleDriveFilePassesTheConfirmationPage() throws {
        let directory = try TemporaryDirectory("drive")
        let plain = try Self.firmware(directory, size: 300_000)
        let page = try String(contentsOfFile: TestPaths.fixture("http/resolvers/drive.google.com/virus-scan-warning.html"), encoding: .utf8)
        let pageFile = try Self.write(page, directory, "warning.html")
        let server = try HTTPTestServer(routes: [
            ["path": "/download", "query_contains": "confirm=", "headers": ["Content-Disposition": "attachment; filename=\"big.zip\""], "file": plain.path],
            ["path": "/download", "status": 200, "headers": ["Content-Type": "text/html; charset=utf-8"], "file": pageFile],
        ])
        let id = try #require(page.firstMatch(of: /name="id" value="([^"]+)"/)?.1)
        let result = try Self.downloader(server, hosts: ["drive.google.com", "drive.usercontent.google.com"]).download(
            "https://drive.google.com/file/d/\(id)/view?usp=sharing", into: directory.path + "/out", createDirectory: true)
        #expect(result.sha256 == plain.digest && result.size == 300_000)
    }
}
