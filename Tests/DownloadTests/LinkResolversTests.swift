import Download
import Testing

@Suite struct LinkResolversTests {
    @Test(arguments: [
        ("https://bigota.d.miui.com/OS2.0/miui.zip", "Xiaomi OTA"),
        ("https://bkt-sgp-miui-ota-update-alisgp.oss-ap-southeast-1.aliyuncs.com/OS2.0/miui.zip", "Xiaomi OTA"),
        ("https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view", "Google Drive"),
        ("https://www.mediafire.com/file/k3y9xq2z7w1abcd/x.zip/file", "MediaFire"),
        ("https://pixeldrain.com/u/AbCd1234", "Pixeldrain"),
        ("https://mega.nz/file/Xy7Ab3cD#key", "MEGA"),
        ("https://sourceforge.net/projects/p/files/x.zip/download", "SourceForge"),
    ])
    func eachHostHasItsResolver(url: String, name: String) {
        #expect(LinkResolvers.resolver(for: url)?.name == name)
        #expect(LinkResolvers.all.filter { $0.handles(url) }.count == 1)
    }

    @Test(arguments: [
        "https://dl.google.com/dl/android/aosp/gravel-ota.zip", "https://download2390.mediafire.com/a/b/x.zip",
        "https://downloads.sourceforge.net/project/p/x.zip", "https://example.com/firmware.zip", "file:///tmp/x.zip",
        "javascript:alert(1)", "", "not a url",
    ])
    func otherLinksAreDownloadedAsGiven(url: String) {
        #expect(LinkResolvers.resolver(for: url) == nil)
    }

    /// Every resolver, fed hostile answers to every request, ends within the downloader's six
    /// requests with a failure or an http(s) download: never a crash, never a loop.
    @Test(arguments: Self.hostileKinds)
    func hostileAnswersEndQuickly(answer: Int) {
        let links = [
            "https://bigota.d.miui.com/OS2.0/miui.zip", "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view",
            "https://www.mediafire.com/file/k3y9xq2z7w1abcd/x.zip/file", "https://pixeldrain.com/u/AbCd1234",
            "https://pixeldrain.com/l/LiSt5678#item=1", "https://sourceforge.net/projects/p/files/latest/download",
            "https://mega.nz/file/Xy7Ab3cD#ABEiM0RVZneImaq7zN3u_wARIjNEVWZ3iJmqu8zd7v8",
        ]
        for link in links {
            guard let resolver = LinkResolvers.resolver(for: link) else {
                Issue.record("no resolver for \(link)")
                continue
            }
            let c = Conversation(resolver, link) { request in Self.hostileAnswer(answer, for: request.url) }
            #expect(c.requests.count <= 6, "\(link)")
            if case .fetch = c.result { Issue.record("\(resolver.name) still fetching after 8 answers") }
            expectWeb(c.result)
            for request in c.requests { expectWeb(.fetch(request)) }
        }
    }

    static let hostileKinds = 0..<10

    /// Hostile answer number `kind` to a request for `url`.
    static func hostileAnswer(_ kind: Int, for url: String) -> FetchedPage {
        let html = ["content-type": "text/html"]
        switch kind {
        case 0: return FetchedPage(status: 200, url: url)
        case 1: return FetchedPage(status: 0, url: "")
        case 2: return FetchedPage(status: 302, url: "javascript:alert(1)", headers: html)
        case 3:
            let noise: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 2) }
            return FetchedPage(status: 200, url: url, headers: html, body: noise)
        case 4:
            let buttons = String(repeating: #"<a id="downloadButton" href="javascript:x">"#, count: 20_000)
            return FetchedPage(status: 200, url: url, headers: html, body: Array(buttons.utf8))
        case 5:
            let forms = #"<form id="download-form" action="file:///etc/passwd"><input type="hidden" name="id" value="1"></form>"#
                + #"<meta http-equiv="refresh" content="0; url=file:///x">"#
            return SavedAnswer.text(forms, url: url)
        case 6: return SavedAnswer.text(#"{"success":true,"files":[{}],"name":{"a":1},"size":-1}"#, url: url, type: "application/json")
        case 7: return SavedAnswer.text(#"[{"s":-5,"at":"","g":"javascript:alert(1)"}]"#, url: url, type: "application/json")
        case 8: return SavedAnswer.text(String(repeating: "[", count: 50_000), url: url, type: "application/json")
        default: return SavedAnswer.huge(url: url)
        }
    }
}
