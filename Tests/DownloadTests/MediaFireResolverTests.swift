import Download
import Testing

@Suite struct MediaFireResolverTests {
    let resolver = MediaFireResolver()
    let url = "https://www.mediafire.com/file/k3y9xq2z7w1abcd/gravel_OS2.0.1.0_fastboot.tgz/file"

    @Test(arguments: [
        ("https://www.mediafire.com/file/k3y9xq2z7w1abcd/gravel.tgz/file", "https://www.mediafire.com/file/k3y9xq2z7w1abcd/gravel.tgz/file"),
        ("http://mediafire.com/file/k3y9xq2z7w1abcd", "https://www.mediafire.com/file/k3y9xq2z7w1abcd"),
        ("https://www.mediafire.com/?k3y9xq2z7w1abcd", "https://www.mediafire.com/?k3y9xq2z7w1abcd"),
        ("https://www.mediafire.com/download/k3y9xq2z7w1abcd", "https://www.mediafire.com/download/k3y9xq2z7w1abcd"),
    ])
    func fetchesTheFilePage(link: String, page: String) {
        #expect(resolver.handles(link))
        #expect(resolver.next(for: link, after: []) == .fetch(PageRequest(url: page)))
    }

    @Test func takesTheDownloadButtonsLink() throws {
        let c = Conversation(resolver, url, always: try SavedAnswer.html("www.mediafire.com/file-page.html", url: url))
        #expect(c.requests.count == 1)
        #expect(c.download == DirectDownload(url: "https://download2390.mediafire.com/q1w2e3r4t5y6/k3y9xq2z7w1abcd/gravel_OS2.0.1.0_fastboot.tgz"))
    }

    @Test func decodesTheScrambledLink() throws {
        let c = Conversation(resolver, url, always: try SavedAnswer.html("www.mediafire.com/scrambled.html", url: url))
        #expect(c.download == DirectDownload(url: "https://download1581.mediafire.com/zx8cv7bn6m5/k3y9xq2z7w1abcd/gravel_OS2.0.1.0_fastboot.tgz"))
    }

    @Test func refusesLinksThatAreNotMediaFireDownloads() throws {
        let c = Conversation(resolver, url, always: try SavedAnswer.html("www.mediafire.com/hostile-links.html", url: url))
        #expect(c.failure == "MediaFire: the download button has no direct link: javascript:alert(1) file:///etc/passwd"
            + " https://evil.example/gravel.tgz https://download99.mediafire.com.evil.example/x.tgz")
    }

    @Test func pagesWithoutAButtonFail() throws {
        let c = Conversation(resolver, url, always: try SavedAnswer.html("www.mediafire.com/no-button.html", url: url))
        #expect(c.failure == "MediaFire: no download button on the page (a removed or private file?)")
        let huge = Conversation(resolver, url, always: SavedAnswer.huge(url: url))
        #expect(huge.failure?.hasPrefix("MediaFire: the answer from https://www.mediafire.com/file/") == true)
    }

    @Test func removedFilesAndHTTPErrors() {
        let removed = SavedAnswer.text("<html>gone</html>", url: "https://www.mediafire.com/error.php?errno=320&origin=download")
        #expect(Conversation(resolver, url, always: removed).failure == "MediaFire: the file was removed or does not exist (error page 320)")
        #expect(Conversation(resolver, url, always: SavedAnswer.text("", status: 404, url: url)).failure == "MediaFire: the file does not exist (HTTP 404)")
        #expect(Conversation(resolver, url, always: SavedAnswer.text("", status: 503, url: url)).failure == "MediaFire: answered HTTP 503")
    }

    @Test func linksItCannotUse() {
        #expect(resolver.next(for: "https://www.mediafire.com/folder/abcd1234/firmware", after: [])
            == .failure("MediaFire: folder links are not supported, only links to one file"))
        #expect(resolver.next(for: "https://www.mediafire.com/file/", after: []) == .failure("MediaFire: no file key in https://www.mediafire.com/file/"))
        #expect(resolver.next(for: "https://www.mediafire.com/file/ab%2F..%2Fcd/x", after: [])
            == .failure("MediaFire: no file key in https://www.mediafire.com/file/ab%2F..%2Fcd/x"))
        // Direct links need no resolver.
        #expect(!resolver.handles("https://download2390.mediafire.com/q1w2/k3y9/gravel.tgz"))
        #expect(!resolver.handles("https://notmediafire.com/file/k3y9xq2z7w1abcd"))
    }

    @Test func moreAnswersThanRequestsFail() throws {
        let page = try SavedAnswer.html("www.mediafire.com/file-page.html", url: url)
        #expect(resolver.next(for: url, after: [page, page]) == .failure("MediaFire: got 2 answers to 1 request"))
    }
}
