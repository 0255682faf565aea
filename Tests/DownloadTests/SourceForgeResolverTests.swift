import Download
import Testing

@Suite struct SourceForgeResolverTests {
    let resolver = SourceForgeResolver()
    static let file = "xiaomi.eu/HyperOS-STABLE-RELEASES/HyperOS2.0/xiaomi.eu_gravel_OS2.0.1.0.zip"
    let direct = "https://downloads.sourceforge.net/project/xiaomi-eu-multilang-miui-roms/\(Self.file)"

    @Test(arguments: [
        "https://sourceforge.net/projects/xiaomi-eu-multilang-miui-roms/files/\(Self.file)/download",
        "https://sourceforge.net/projects/xiaomi-eu-multilang-miui-roms/files/\(Self.file)",
        "http://www.sourceforge.net/projects/xiaomi-eu-multilang-miui-roms/files/\(Self.file)/download?use_mirror=netix",
    ])
    func fileLinksGoStraightToTheDownloadsHost(link: String) {
        #expect(resolver.handles(link))
        #expect(resolver.next(for: link, after: []) == .download(DirectDownload(url: direct, fileName: "xiaomi.eu_gravel_OS2.0.1.0.zip")))
    }

    @Test func encodedNamesStayEncoded() {
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/v1%20beta/a%23b.zip/download", after: [])
            == .download(DirectDownload(url: "https://downloads.sourceforge.net/project/p/v1%20beta/a%23b.zip", fileName: "a#b.zip")))
    }

    @Test func theLatestFileIsReadFromItsDownloadPage() throws {
        let latest = "https://sourceforge.net/projects/xiaomi-eu-multilang-miui-roms/files/latest/download"
        let c = Conversation(resolver, latest) { request in
            (try? SavedAnswer.html("sourceforge.net/latest-download.html", url: request.url)) ?? FetchedPage(status: 0, url: "")
        }
        #expect(c.requests == [PageRequest(url: latest)])
        #expect(c.download == DirectDownload(url: direct + "?ts=gAAAAABm&use_mirror=netix&r="))
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/latest", after: [])
            == .fetch(PageRequest(url: "https://sourceforge.net/projects/p/files/latest/download")))
    }

    @Test func latestPagesWithoutADownloadLinkFail() throws {
        let latest = "https://sourceforge.net/projects/p/files/latest/download"
        let hostile = try SavedAnswer.html("sourceforge.net/latest-no-link.html", url: latest)
        #expect(Conversation(resolver, latest, always: hostile).failure == "SourceForge: the download page has no link to downloads.sourceforge.net")
        #expect(Conversation(resolver, latest, always: SavedAnswer.text("", status: 404, url: latest)).failure
            == "SourceForge: the project has no latest file (HTTP 404)")
        #expect(Conversation(resolver, latest, always: SavedAnswer.text("", status: 500, url: latest)).failure == "SourceForge: answered HTTP 500")
        #expect(Conversation(resolver, latest, always: SavedAnswer.huge(url: latest)).failure?.contains("too large") == true)
    }

    @Test func linksItCannotUse() {
        for project in ["https://sourceforge.net/projects/p/", "https://sourceforge.net/projects/p/files/"] {
            #expect(resolver.next(for: project, after: []) == .failure("SourceForge: the link is a project page, not a file: \(project)"))
        }
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/download", after: [])
            == .failure("SourceForge: the link names no file: https://sourceforge.net/projects/p/files/download"))
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/%2E%2E/x.zip", after: [])
            == .failure("SourceForge: the link names no file: https://sourceforge.net/projects/p/files/%2E%2E/x.zip"))
        #expect(resolver.next(for: "https://sourceforge.net/projects/a%22b/files/x.zip", after: [])
            == .failure("SourceForge: no project name in https://sourceforge.net/projects/a%22b/files/x.zip"))
        #expect(!resolver.handles("https://sourceforge.net/p/p/code/"))
        #expect(!resolver.handles("https://downloads.sourceforge.net/project/p/x.zip"))
    }

    @Test func moreAnswersThanRequestsFail() {
        let page = SavedAnswer.text("", url: "x")
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/x.zip/download", after: [page])
            == .failure("SourceForge: got 1 answer to 0 requests"))
        #expect(resolver.next(for: "https://sourceforge.net/projects/p/files/latest/download", after: [page, page])
            == .failure("SourceForge: got 2 answers to 1 request"))
    }
}
