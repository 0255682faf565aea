import Download
import Testing

@Suite struct XiaomiOTAResolverTests {
    let resolver = XiaomiOTAResolver()
    let path = "/OS2.0.1.0.VOQMIXM/miui_GRAVELGlobal_OS2.0.1.0.VOQMIXM_a1b2c3d4e5_15.0.zip"
    let bucket = "bkt-sgp-miui-ota-update-alisgp.oss-ap-southeast-1.aliyuncs.com"

    /// HEAD answers by host: the status each mirror gives.
    func conversation(_ url: String, _ statuses: [String: Int]) -> Conversation {
        Conversation(resolver, url) { request in
            FetchedPage(status: statuses[request.url.split(separator: "/")[1].description] ?? 404, url: request.url)
        }
    }

    @Test(arguments: ["bigota.d.miui.com", "hugeota.d.miui.com", "ultimateota.d.miui.com", "d.miui.com", "bn.d.miui.com"])
    func triesTheMirrorsInOrderThenTheOwnHost(host: String) {
        let c = conversation("https://\(host)\(path)?t=123&sign=abc", [:])
        let mirrors = ["cdnorg.d.miui.com", bucket, "bn.d.miui.com"].filter { $0 != host } + [host]
        #expect(c.requests.map(\.url) == mirrors.map { "https://\($0)\(path)" })
        #expect(c.requests.allSatisfy { $0.method == "HEAD" })
        #expect(c.failure?.hasPrefix("Xiaomi OTA: no mirror has miui_GRAVELGlobal") == true)
        #expect(c.failure?.contains("cdnorg.d.miui.com 404") == true)
    }

    @Test func firstMirrorThatAnswersWins() {
        let c = conversation("https://bigota.d.miui.com\(path)?x=1", ["cdnorg.d.miui.com": 404, bucket: 200])
        #expect(c.requests.count == 2)
        #expect(c.download == DirectDownload(url: "https://\(bucket)\(path)"))
    }

    @Test func aRedirectCountsAsAnAnswerAndErrorsDoNot() {
        let c = conversation("https://bigota.d.miui.com\(path)", ["cdnorg.d.miui.com": 503, bucket: 403, "bn.d.miui.com": 302])
        #expect(c.download?.url == "https://bn.d.miui.com\(path)")
    }

    @Test func theOwnHostIsLastAndKeepsItsScheme() {
        let c = conversation("http://hugeota.d.miui.com\(path)?sig=1", ["hugeota.d.miui.com": 200])
        #expect(c.requests.count == 4)
        #expect(c.download?.url == "http://hugeota.d.miui.com\(path)")
    }

    @Test(arguments: ["https://cdnorg.d.miui.com", "https://bkt-sgp-miui-ota-update-alisgp.oss-ap-southeast-1.aliyuncs.com"])
    func linksOnTheBestMirrorsAreUsedAsGiven(base: String) {
        let url = base + path + "?keep=1"
        let c = conversation(url, [:])
        #expect(c.requests.isEmpty)
        #expect(c.download == DirectDownload(url: url))
    }

    @Test func handlesOnlyXiaomiHosts() {
        #expect(resolver.handles("https://bigota.d.miui.com/x.zip"))
        #expect(resolver.handles("https://BIGOTA.D.MIUI.COM./x.zip"))
        #expect(!resolver.handles("https://evild.miui.com/x.zip"))
        #expect(!resolver.handles("https://d.miui.com.evil.example/x.zip"))
        #expect(!resolver.handles("ftp://bigota.d.miui.com/x.zip"))
        #expect(!resolver.handles("not a url"))
    }

    @Test func aLinkWithoutAFileFails() {
        #expect(conversation("https://bigota.d.miui.com/", [:]).failure == "Xiaomi OTA: the link names no file: https://bigota.d.miui.com/")
        #expect(conversation("https://bigota.d.miui.com/a/../b.zip", [:]).failure?.contains("names no file") == true)
    }

    @Test func moreAnswersThanRequestsFail() {
        let ok = FetchedPage(status: 200, url: "https://cdnorg.d.miui.com\(path)")
        let url = "https://bigota.d.miui.com\(path)"
        #expect(resolver.next(for: url, after: [ok]) == .download(DirectDownload(url: "https://cdnorg.d.miui.com\(path)")))
        guard case .failure(let message) = resolver.next(for: url, after: [ok, ok]) else { Issue.record("no failure"); return }
        #expect(message.hasPrefix("Xiaomi OTA: got 2 answers"))
        guard case .failure = resolver.next(for: url, after: Array(repeating: FetchedPage(status: 404, url: url), count: 5)) else {
            Issue.record("no failure")
            return
        }
        guard case .failure = resolver.next(for: "https://cdnorg.d.miui.com\(path)", after: [ok]) else { Issue.record("no failure"); return }
    }
}
