import Crypto
import Download
import DumpTestSupport
import Foundation
import Testing

@Suite struct MEGAResolverTests {
    let resolver = MEGAResolver()
    let handle = "Xy7Ab3cD"
    /// The link's 32-byte key.
    let linkKey: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let api = "https://g.api.mega.co.nz/cs?id=1"
    let firmware: [UInt8] = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    var aesKey: [UInt8] { (0..<16).map { linkKey[$0] ^ linkKey[$0 + 16] } }
    var counter: [UInt8] { Array(linkKey[16..<24]) + [UInt8](repeating: 0, count: 8) }

    /// Encrypts the firmware and its attributes as MEGA does, with the real openssl, and answers
    /// the `g` command with them.
    func megaAnswer(name: String = "gravel_OS2.0.1.0_fastboot.tgz", downloadURL: String = "http://gfs270n888.userstorage.mega.co.nz/dl/AbCdEf")
        throws -> (sealed: [UInt8], answer: FetchedPage)
    {
        let sealed = try openssl(["-aes-128-ctr", "-K", hex(aesKey), "-iv", hex(counter), "-nopad"], firmware)
        var attributes = Array(#"MEGA{"n":"\#(name)","c":"Qm9ndXM"}"#.utf8)
        attributes += [UInt8](repeating: 0, count: (16 - attributes.count % 16) % 16)
        let at = try openssl(["-aes-128-cbc", "-K", hex(aesKey), "-iv", String(repeating: "0", count: 32), "-nopad"], attributes)
        let json = #"[{"s":\#(firmware.count),"at":"\#(base64url(at))","msg":"","fa":"123:0*AbCd","g":"\#(downloadURL)","ip":["1.2.3.4"]}]"#
        return (sealed, FetchedPage(status: 200, url: api, headers: ["content-type": "application/json"], body: Array(json.utf8)))
    }

    @Test(arguments: ["https://mega.nz/file/%@#%@", "https://mega.nz/#!%@!%@", "https://mega.co.nz/#!%@!%@"])
    func roundTripDecryptsToTheOriginalBytes(form: String) throws {
        let link = String(format: form, handle, base64url(linkKey))
        let (sealed, answer) = try megaAnswer()
        let c = Conversation(resolver, link) { _ in answer }
        #expect(c.requests == [PageRequest(
            method: "POST", url: api, headers: ["Content-Type": "application/json"], body: Array(#"[{"a":"g","g":1,"p":"Xy7Ab3cD"}]"#.utf8))])
        let download = try #require(c.download)
        #expect(download.url == "http://gfs270n888.userstorage.mega.co.nz/dl/AbCdEf")
        #expect(download.fileName == "gravel_OS2.0.1.0_fastboot.tgz")
        #expect(download.size == UInt64(firmware.count))
        let decryption = try #require(download.decryption)
        #expect(decryption == ContentDecryption(key: aesKey, counter: counter))
        // Decrypted as the downloader would: chunk by chunk, odd sizes.
        let cipher = try AES128CTR(key: decryption.key, counter: decryption.counter)
        var plain: [UInt8] = []
        var offset = 0
        for size in [1, 15, 4097, 33, 65_536].cycled(until: sealed.count) {
            var chunk = Array(sealed[offset..<min(offset + size, sealed.count)])
            cipher.apply(&chunk)
            plain += chunk
            offset += chunk.count
        }
        #expect(plain == firmware)
    }

    @Test func aWrongKeyFailsOnTheAttributes() throws {
        var other = linkKey
        other[3] ^= 0x40
        let (_, answer) = try megaAnswer()
        let c = Conversation(resolver, "https://mega.nz/file/\(handle)#\(base64url(other))", always: answer)
        #expect(c.failure == "wrong MEGA key: the file's attributes do not decrypt with the link's key")
    }

    @Test(arguments: [
        ("mega.nz/error-not-found.json", "MEGA: file not found (ENOENT)"),
        ("mega.nz/error-unavailable.json", "MEGA: temporarily unavailable, try again later (ETEMPUNAVAIL)"),
        ("mega.nz/error-busy.json", "MEGA: server busy, try again later (EAGAIN)"),
        ("mega.nz/error-blocked.json", "MEGA: file blocked, taken down (EBLOCKED)"),
    ])
    func apiErrorsAreNamed(fixture: String, message: String) throws {
        let answer = try SavedAnswer.json(fixture, url: api)
        #expect(Conversation(resolver, "https://mega.nz/file/\(handle)#\(base64url(linkKey))", always: answer).failure == message)
    }

    @Test func hostileOrBrokenAnswers() throws {
        let link = "https://mega.nz/file/\(handle)#\(base64url(linkKey))"
        func failure(_ body: String, status: Int = 200) -> String? {
            Conversation(resolver, link, always: FetchedPage(status: status, url: api, body: Array(body.utf8))).failure
        }
        #expect(failure("[-9]", status: 500) == "MEGA: the API answered HTTP 500")
        #expect(failure("<html>") == "MEGA: the API answer is not a file description")
        #expect(failure("[{\"s\":1}]") == #"MEGA: the API answer has no attributes ("at")"#)
        #expect(failure("[{\"s\":1,\"at\":\"!!\",\"g\":\"https://x/\"}]") == "MEGA: the file's attributes are not base64url blocks")
        #expect(failure("[{\"s\":1,\"at\":\"QUJD\",\"g\":\"https://x/\"}]") == "MEGA: the file's attributes are not base64url blocks")
        let (_, noURL) = try megaAnswer(downloadURL: "")
        #expect(Conversation(resolver, link, always: noURL).failure == "MEGA: no download URL in the API answer (the file is not available for download)")
        let (_, script) = try megaAnswer(downloadURL: "javascript:alert(1)")
        #expect(Conversation(resolver, link, always: script).failure == "MEGA: the download link is not http(s): javascript:alert(1)")
        let (_, local) = try megaAnswer(downloadURL: "file:///etc/passwd")
        #expect(Conversation(resolver, link, always: local).failure == "MEGA: the download link is not http(s): file:///etc/passwd")
        let (_, sneaky) = try megaAnswer(name: "../../x")
        #expect(Conversation(resolver, link, always: sneaky).download?.fileName == "x")
        #expect(Conversation(resolver, link, always: SavedAnswer.huge(url: api)).failure?.contains("too large") == true)
    }

    @Test func linksItCannotUse() {
        #expect(resolver.next(for: "https://mega.nz/folder/AbCdEfGh#\(base64url(Array(linkKey[0..<16])))", after: [])
            == .failure("MEGA folder links are not supported"))
        #expect(resolver.next(for: "https://mega.nz/#F!AbCdEfGh!abcdefghijklmnopqrstuv", after: []) == .failure("MEGA folder links are not supported"))
        #expect(resolver.next(for: "https://mega.nz/file/\(handle)", after: []) == .failure("MEGA: the link has no key (the part after #)"))
        #expect(resolver.next(for: "https://mega.nz/#!\(handle)", after: []) == .failure("MEGA: the link has no key (the part after #)"))
        #expect(resolver.next(for: "https://mega.nz/file/\(handle)#\(base64url(Array(linkKey[0..<16])))", after: [])
            == .failure("MEGA: the link's key is not 32 bytes of base64url"))
        #expect(resolver.next(for: "https://mega.nz/file/\(handle)#not/base64+", after: []) == .failure("MEGA: the link's key is not 32 bytes of base64url"))
        #expect(resolver.next(for: "https://mega.nz/file/a%22%7D%5D#\(base64url(linkKey))", after: [])
            == .failure("MEGA: not a file link: https://mega.nz/file/a%22%7D%5D"), "the key stays out of the message")
        #expect(resolver.next(for: "https://mega.nz/", after: []) == .failure("MEGA: not a file link: https://mega.nz/"))
        #expect(!resolver.handles("https://mega.nz.evil.example/file/\(handle)#\(base64url(linkKey))"))
    }

    @Test func moreAnswersThanRequestsFail() throws {
        let (_, answer) = try megaAnswer()
        #expect(resolver.next(for: "https://mega.nz/file/\(handle)#\(base64url(linkKey))", after: [answer, answer])
            == .failure("MEGA: got 2 answers to 1 request"))
    }

    private func openssl(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8] {
        let output = try Tool.run("openssl", ["enc"] + arguments, input: Data(input))
        try #require(output.status == 0, "openssl enc \(arguments): \(output.stderr)")
        return Array(output.stdoutBytes)
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    private func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Array where Element == Int {
    /// The sizes repeated until they add up to at least `total`.
    func cycled(until total: Int) -> [Int] {
        var out: [Int] = []
        var sum = 0
        while sum < total {
            let next = self[out.count % count]
            out.append(next)
            sum += next
        }
        return out
    }
}
