import Download
import Testing

@Suite struct PixeldrainResolverTests {
    let resolver = PixeldrainResolver()

    @Test func aFileIsLookedUpThenDownloaded() throws {
        let c = Conversation(resolver, "https://pixeldrain.com/u/AbCd1234?embed") { request in
            (try? SavedAnswer.json("pixeldrain.com/file-info.json", url: request.url)) ?? FetchedPage(status: 0, url: "")
        }
        #expect(c.requests == [PageRequest(url: "https://pixeldrain.com/api/file/AbCd1234/info")])
        #expect(c.download == DirectDownload(
            url: "https://pixeldrain.com/api/file/AbCd1234?download", fileName: "miui_GRAVELGlobal_OS2.0.1.0_a1b2c3_15.0.zip", size: 5_368_709_120))
    }

    @Test func aMissingFileFailsWithTheAPIsWords() throws {
        let info = "https://pixeldrain.com/api/file/ZzZz9999/info"
        let missing = try SavedAnswer.json("pixeldrain.com/file-not-found.json", status: 404, url: info)
        #expect(Conversation(resolver, "https://pixeldrain.com/u/ZzZz9999", always: missing).failure
            == "Pixeldrain: file ZzZz9999: not_found: The entity you requested could not be found (HTTP 404)")
        let bare404 = SavedAnswer.text("Not Found", status: 404, url: info, type: "text/plain")
        #expect(Conversation(resolver, "https://pixeldrain.com/u/ZzZz9999", always: bare404).failure
            == "Pixeldrain: file ZzZz9999 does not exist (HTTP 404)")
        let down = SavedAnswer.text("", status: 502, url: info)
        #expect(Conversation(resolver, "https://pixeldrain.com/u/ZzZz9999", always: down).failure == "Pixeldrain: file ZzZz9999: answered HTTP 502")
        let notJSON = SavedAnswer.text("<html>maintenance</html>", url: info)
        #expect(Conversation(resolver, "https://pixeldrain.com/u/ZzZz9999", always: notJSON).failure
            == "Pixeldrain: the file info for ZzZz9999 is not a JSON object")
        #expect(Conversation(resolver, "https://pixeldrain.com/u/ZzZz9999", always: SavedAnswer.huge(url: info)).failure?.contains("too large") == true)
    }

    @Test(arguments: [
        ("https://pixeldrain.com/l/LiSt5678#item=0", "Aaa11111", "README.txt", UInt64(1200)),
        ("https://pixeldrain.com/l/LiSt5678#item=2", "Ccc33333", "gravel_ota.zip", UInt64(5_100_000_000)),
        ("https://pixeldrain.com/l/LiSt5678", "Bbb22222", "gravel_fastboot.tgz", UInt64(6_400_000_000)),
    ])
    func aListGivesTheChosenItemElseTheLargest(link: String, id: String, name: String, size: UInt64) throws {
        let list = try SavedAnswer.json("pixeldrain.com/list.json", url: "https://pixeldrain.com/api/list/LiSt5678")
        let c = Conversation(resolver, link, always: list)
        #expect(c.requests == [PageRequest(url: "https://pixeldrain.com/api/list/LiSt5678")])
        #expect(c.download == DirectDownload(url: "https://pixeldrain.com/api/file/\(id)?download", fileName: name, size: size))
    }

    @Test func listsThatCannotGiveAFile() throws {
        let list = try SavedAnswer.json("pixeldrain.com/list.json", url: "https://pixeldrain.com/api/list/LiSt5678")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/LiSt5678#item=3", always: list).failure
            == "Pixeldrain: the link asks for item 3 but the list LiSt5678 has 3 files (counted from 0)")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/LiSt5678#item=-1", always: list).failure
            == "Pixeldrain: bad item number in https://pixeldrain.com/l/LiSt5678")
        let empty = try SavedAnswer.json("pixeldrain.com/list-empty.json", url: "https://pixeldrain.com/api/list/EmPty001")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/EmPty001", always: empty).failure == "Pixeldrain: the list EmPty001 is empty")
        let hostile = try SavedAnswer.json("pixeldrain.com/list-hostile.json", url: "https://pixeldrain.com/api/list/BaD00001")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/BaD00001", always: hostile).failure
            == "Pixeldrain: the list BaD00001 has an entry without a valid file id")
        let noFiles = SavedAnswer.text(#"{"success":true,"files":"nope"}"#, url: "https://pixeldrain.com/api/list/X1", type: "application/json")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/X1", always: noFiles).failure == #"Pixeldrain: the list X1 answer has no "files" array"#)
    }

    @Test func theOnlyFileOfAListAndHostileNames() throws {
        let single = try SavedAnswer.json("pixeldrain.com/list-single.json", url: "https://pixeldrain.com/api/list/OnE00001")
        #expect(Conversation(resolver, "https://pixeldrain.com/l/OnE00001", always: single).download
            == DirectDownload(url: "https://pixeldrain.com/api/file/Ddd44444?download", fileName: "only.zip", size: 10))
        let info = SavedAnswer.text(#"{"id":"AbCd1234","name":"../../.bashrc","size":true}"#, url: "x", type: "application/json")
        #expect(Conversation(resolver, "https://pixeldrain.com/u/AbCd1234", always: info).download
            == DirectDownload(url: "https://pixeldrain.com/api/file/AbCd1234?download", fileName: ".bashrc"))
    }

    @Test func apiAndDirectoryLinksNeedNoRequest() {
        #expect(resolver.next(for: "https://pixeldrain.com/api/file/AbCd1234?download", after: [])
            == .download(DirectDownload(url: "https://pixeldrain.com/api/file/AbCd1234?download")))
        #expect(resolver.next(for: "https://pixeldrain.com/d/AbCd1234/firmware/gravel.zip", after: [])
            == .download(DirectDownload(url: "https://pixeldrain.com/api/filesystem/AbCd1234/firmware/gravel.zip")))
    }

    @Test func linksItCannotUse() {
        #expect(resolver.next(for: "https://pixeldrain.com/u/Ab-../x", after: []) == .failure("Pixeldrain: bad file id in https://pixeldrain.com/u/Ab-../x"))
        #expect(resolver.next(for: "https://pixeldrain.com/", after: []) == .failure("Pixeldrain: not a file or list link: https://pixeldrain.com/"))
        #expect(!resolver.handles("https://pixeldrain.com.evil.example/u/AbCd1234"))
    }

    @Test func moreAnswersThanRequestsFail() throws {
        let info = try SavedAnswer.json("pixeldrain.com/file-info.json", url: "x")
        #expect(resolver.next(for: "https://pixeldrain.com/u/AbCd1234", after: [info, info]) == .failure("Pixeldrain: got 2 answers to 1 request"))
        #expect(resolver.next(for: "https://pixeldrain.com/l/LiSt5678", after: [info, info]) == .failure("Pixeldrain: got 2 answers to 1 request"))
        #expect(resolver.next(for: "https://pixeldrain.com/api/file/AbCd1234", after: [info]) == .failure("Pixeldrain: got 1 answer to 0 requests"))
    }
}
