import Download
import Testing

@Suite struct GoogleDriveResolverTests {
    let resolver = GoogleDriveResolver()
    static let id = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    let fetchURL = "https://drive.usercontent.google.com/download?id=\(id)&export=download"

    @Test(arguments: [
        "https://drive.google.com/file/d/\(id)/view?usp=sharing",
        "https://drive.google.com/file/d/\(id)",
        "https://drive.google.com/file/u/0/d/\(id)/view",
        "https://drive.google.com/open?id=\(id)",
        "https://drive.google.com/uc?id=\(id)&export=download",
        "https://docs.google.com/uc?export=download&id=\(id)",
        "https://drive.usercontent.google.com/download?id=\(id)&export=download&confirm=t",
    ])
    func everyLinkFormFetchesTheUsercontentURL(url: String) {
        #expect(resolver.handles(url))
        #expect(resolver.next(for: url, after: []) == .fetch(PageRequest(url: fetchURL)))
    }

    @Test func theResourceKeyIsKept() {
        let url = "https://drive.google.com/file/d/\(Self.id)/view?resourcekey=0-WWs_XOSctfaY_0-sJBKRSQ"
        #expect(resolver.next(for: url, after: []) == .fetch(PageRequest(url: fetchURL + "&resourcekey=0-WWs_XOSctfaY_0-sJBKRSQ")))
    }

    @Test func theFileItselfIsDownloadedFromTheSameURL() {
        let file = FetchedPage(
            status: 200, url: fetchURL,
            headers: ["content-type": "application/octet-stream", "content-disposition": #"attachment; filename="gravel.tgz""#],
            body: [0x1f, 0x8b, 8, 0])
        let c = Conversation(resolver, "https://drive.google.com/file/d/\(Self.id)/view", always: file)
        #expect(c.requests.count == 1)
        #expect(c.download == DirectDownload(url: fetchURL, fileName: "gravel.tgz"))
        // Without a disposition, a body that is not HTML is the file too.
        let bare = FetchedPage(status: 200, url: fetchURL, headers: ["content-type": "application/zip"], body: [0x50, 0x4b])
        #expect(Conversation(resolver, fetchURL, always: bare).download == DirectDownload(url: fetchURL))
        // However much of the file the downloader read before stopping.
        let big = FetchedPage(status: 200, url: fetchURL, headers: ["content-type": "application/x-gzip"], body: [UInt8](repeating: 7, count: 5 << 20))
        #expect(Conversation(resolver, fetchURL, always: big).download == DirectDownload(url: fetchURL))
    }

    @Test func theVirusScanPageGivesItsFormWithTheCookies() throws {
        let page = try SavedAnswer.html(
            "drive.google.com/virus-scan-warning.html", url: fetchURL,
            headers: ["set-cookie": "NID=511=abc; expires=Sat, 01-Nov-2027 00:00:00 GMT; path=/; domain=.google.com; HttpOnly\nAEC=Ae3NU9M; Path=/; Secure"])
        let c = Conversation(resolver, "https://drive.google.com/file/d/\(Self.id)/view", always: page)
        #expect(c.requests.count == 1)
        #expect(c.download == DirectDownload(
            url: "https://drive.usercontent.google.com/download?id=\(Self.id)&export=download&confirm=t"
                + "&uuid=2b32fee2-d9c8-48a0-be9a-51d4b1dea839&at=APvzH3r%2BAb%2Fcd%3A1700000000000",
            headers: ["Cookie": "NID=511=abc; AEC=Ae3NU9M"]))
    }

    @Test func withoutCookiesNoCookieHeader() throws {
        let page = try SavedAnswer.html("drive.google.com/virus-scan-warning.html", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: page).download?.headers == [:])
    }

    @Test func theOlderDownloadAnywayLink() throws {
        let page = try SavedAnswer.html("drive.google.com/legacy-download-link.html", url: "https://docs.google.com/uc?export=download&id=\(Self.id)")
        let c = Conversation(resolver, "https://drive.google.com/open?id=\(Self.id)", always: page)
        #expect(c.download?.url == "https://docs.google.com/uc?export=download&confirm=AbCd&id=\(Self.id)")
    }

    @Test func quotaExceededQuotesGoogle() throws {
        for status in [200, 403] {
            let page = try SavedAnswer.html("drive.google.com/quota-exceeded.html", status: status, url: fetchURL)
            #expect(Conversation(resolver, fetchURL, always: page).failure
                == "Google Drive: download quota exceeded: Too many users have viewed or downloaded this file recently."
                + " Please try accessing the file again later.")
        }
    }

    @Test func missingAndPrivateFiles() throws {
        let missing = try SavedAnswer.html("drive.google.com/not-found.html", status: 404, url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: missing).failure == "Google Drive: the file does not exist or was deleted (HTTP 404)")
        let signIn = try SavedAnswer.html("drive.google.com/sign-in.html", url: "https://accounts.google.com/v3/signin/identifier?continue=x")
        #expect(Conversation(resolver, fetchURL, always: signIn).failure?.hasPrefix("Google Drive: no access") == true)
        let signInHere = try SavedAnswer.html("drive.google.com/sign-in.html", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: signInHere).failure?.hasPrefix("Google Drive: no access") == true)
        let forbidden = SavedAnswer.text("", status: 403, url: fetchURL, type: "")
        #expect(Conversation(resolver, fetchURL, always: forbidden).failure?.hasPrefix("Google Drive: no access") == true)
        let limited = SavedAnswer.text("", status: 429, url: fetchURL, type: "")
        #expect(Conversation(resolver, fetchURL, always: limited).failure?.contains("quota exceeded") == true)
        let broken = SavedAnswer.text("", status: 500, url: fetchURL, type: "")
        #expect(Conversation(resolver, fetchURL, always: broken).failure == "Google Drive: answered HTTP 500")
    }

    @Test func pagesWithoutAUsableFormFail() throws {
        let plain = SavedAnswer.text("<html><head><title>Something else</title></head><body>hi</body></html>", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: plain).failure
            == #"Google Drive: the answer is a web page without the download form ("Something else")"#)
        let offsite = try SavedAnswer.html("drive.google.com/offsite-form.html", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: offsite).failure
            == "Google Drive: the download form has no action on a Google host: https://evil.example/steal")
        let script = try SavedAnswer.html("drive.google.com/javascript-form.html", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: script).failure?.contains("no action on a Google host") == true)
        let noID = try SavedAnswer.html("drive.google.com/form-without-id.html", url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: noID).failure == #"Google Drive: the download form names no file (no hidden "id" input)"#)
        let huge = SavedAnswer.huge(url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: huge).failure?.contains("is too large") == true)
    }

    @Test func theLegacyLinkMustStayOnGoogle() {
        let page = SavedAnswer.text(#"<a id="uc-download-link" href="file:///etc/passwd">x</a>"#, url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: page).failure?.contains("leads off Google") == true)
        let away = SavedAnswer.text(#"<a id="uc-download-link" href="https://evil.example/x">x</a>"#, url: fetchURL)
        #expect(Conversation(resolver, fetchURL, always: away).failure?.contains("leads off Google") == true)
    }

    @Test func linksWithoutAFileFail() {
        #expect(resolver.next(for: "https://drive.google.com/drive/folders/\(Self.id)", after: [])
            == .failure("Google Drive: folder links are not supported, only links to one file"))
        #expect(resolver.next(for: "https://drive.google.com/file/d/short/view", after: [])
            == .failure("Google Drive: no file id in https://drive.google.com/file/d/short/view"))
        #expect(resolver.next(for: "https://docs.google.com/document/d/\(Self.id)/edit", after: [])
            == .failure("Google Drive: no file id in https://docs.google.com/document/d/\(Self.id)/edit"))
        #expect(resolver.next(for: "https://drive.google.com/open?id=\(Self.id)%22%3E", after: []) != .fetch(PageRequest(url: fetchURL)))
        #expect(!resolver.handles("https://drive.google.com.evil.example/file/d/\(Self.id)/view"))
    }

    @Test func moreAnswersThanRequestsFail() throws {
        let page = try SavedAnswer.html("drive.google.com/virus-scan-warning.html", url: fetchURL)
        #expect(resolver.next(for: fetchURL, after: [page, page]) == .failure("Google Drive: got 2 answers to 1 request"))
    }
}
