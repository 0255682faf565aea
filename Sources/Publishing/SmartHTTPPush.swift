internal import Foundation
internal import Git
internal import HTTP

/// The client side of git's smart HTTP push (`git-receive-pack`), for a pack dumpyard writes
/// itself: the refs the server advertises, then one command and the pack in one POST, and the
/// server's report. libgit2's push rebuilds and recompresses every object; this one sends the
/// staging store's zlib streams as they are (reference/git.md §2).
struct SmartHTTPPush {
    let url: String
    let authorization: String
    /// Kept only to keep it out of error messages.
    private let password: String
    let timeout: Duration

    init(url: String, username: String, password: String, timeout: Duration) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        self.password = password.isEmpty ? "\u{0}" : password
        self.timeout = timeout
    }

    /// The refs the server has (name → hex id).
    func advertisedRefs() throws -> [String: String] {
        var request = HTTPRequest(url: url + "/info/refs?service=git-receive-pack", headers: ["Authorization": authorization])
        request.totalTimeout = .seconds(60)
        let (status, body) = try send(request)
        guard status == 200 else { throw failure(status, body, "GET info/refs") }
        var refs: [String: String] = [:]
        for line in try PacketLines.parse(body) {
            guard !line.hasPrefix("#") else { continue }
            let text = line.split(separator: "\0", maxSplits: 1).first.map(String.init) ?? line
            let fields = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard fields.count == 2, fields[0].count == 40, fields[1] != "capabilities^{}" else { continue }
            refs[fields[1].trimmingCharacters(in: .newlines)] = fields[0]
        }
        return refs
    }

    /// Sends `pack` with the command `old new ref`; returns nothing when the server applied it.
    func push(reference: String, old: String, new: String, pack: String) throws {
        let command = "\(old) \(new) \(reference)\0report-status agent=dumpyard\n"
        var request = HTTPRequest(
            method: "POST", url: url + "/git-receive-pack",
            headers: [
                "Authorization": authorization, "Content-Type": "application/x-git-receive-pack-request",
                "Accept": "application/x-git-receive-pack-result",
            ])
        request.uploadPrefix = PacketLines.line(command) + Array("0000".utf8)
        request.uploadFile = pack
        request.totalTimeout = timeout
        request.stallTimeout = .seconds(300)
        let (status, body) = try send(request)
        guard status == 200 else { throw failure(status, body, "POST git-receive-pack") }
        let report = try PacketLines.parse(body)
        guard let unpack = report.first, unpack.hasPrefix("unpack ") else { throw GitPushError.protocolFailure("no report from the server") }
        guard unpack.trimmingCharacters(in: .newlines) == "unpack ok" else {
            throw GitPushError.rejected([reference: String(unpack.dropFirst("unpack ".count)).trimmingCharacters(in: .newlines)])
        }
        for line in report.dropFirst() where line.hasPrefix("ng ") {
            let rest = line.dropFirst(3).trimmingCharacters(in: .newlines)
            let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
            throw GitPushError.rejected([parts.first ?? reference: parts.count > 1 ? parts[1] : "refused"])
        }
        guard report.contains(where: { $0.hasPrefix("ok ") }) else { throw GitPushError.protocolFailure("the server did not confirm \(reference)") }
    }

    private func send(_ request: HTTPRequest) throws -> (Int, [UInt8]) {
        let (head, body) = try HTTPTransfer().fetch(request, limit: 16 << 20)
        return (head.status, body)
    }

    private func failure(_ status: Int, _ body: [UInt8], _ what: String) -> any Error {
        if status == 401 || status == 403 { return GitPushError.authenticationFailed(tries: 1) }
        let text = String(decoding: body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
            .replacingOccurrences(of: password, with: "[token]").replacingOccurrences(of: authorization, with: "[token]")
        return GitPushError.protocolFailure("\(what): HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))
    }
}

/// git's pkt-line framing: four hex digits of length (themselves included), then the data.
enum PacketLines {
    static func line(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return Array(String(format: "%04x", bytes.count + 4).utf8) + bytes
    }

    /// The lines of a pkt-line stream (flushes dropped).
    static func parse(_ bytes: [UInt8]) throws -> [String] {
        var lines: [String] = []
        var index = 0
        while index + 4 <= bytes.count {
            guard let length = Int(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw GitPushError.protocolFailure("a malformed answer from the git server")
            }
            if length == 0 {
                index += 4
                continue
            }
            guard length >= 4, index + length <= bytes.count else { throw GitPushError.protocolFailure("a truncated answer from the git server") }
            lines.append(String(decoding: bytes[index + 4..<index + length], as: UTF8.self))
            index += length
        }
        return lines
    }
}
