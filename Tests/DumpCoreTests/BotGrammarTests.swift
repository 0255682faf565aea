import DumpCore
import Testing

/// The bot's command grammar, callback data, whitelist and URL check (pure).
@Suite struct BotGrammarTests {
    @Test(arguments: [
        ("/dump https://example.com/fw.zip", BotCommand.dump(url: "https://example.com/fw.zip", options: DumpOptions())),
        ("/dump HTTPS://example.com/fw.zip af", .dump(url: "https://example.com/fw.zip", options: DumpOptions(alt: true, force: true))),
        ("/dump@dumpyard_bot https://h/x.zip a f p b", .dump(url: "https://h/x.zip", options: DumpOptions(alt: true, force: true, isPrivate: true, blacklist: true))),
        ("/dump https://h/x.zip xyz", .dump(url: "https://h/x.zip", options: DumpOptions())),
        ("/DUMP https://h/x.zip P", .dump(url: "https://h/x.zip", options: DumpOptions(isPrivate: true))),
        ("/status", .status(job: nil)),
        ("/status 0123abcd4567", .status(job: "0123abcd4567")),
        ("/cancel j-1", .cancel(job: "j-1")),
        ("/retry j.2", .retry(job: "j.2")),
        ("/restart", .restart),
        ("/clearqueue", .clearQueue),
        ("/help", .help),
        ("/lookup https://h/x.zip", .lookup(query: "https://h/x.zip")),
        ("/accept 0badcafe ap", .accept(request: "0badcafe", options: DumpOptions(alt: true, isPrivate: true))),
        ("/reject 0BADCAFE not a firmware", .reject(request: "0badcafe", reason: "not a firmware")),
        ("/reject 0badcafe", .reject(request: "0badcafe", reason: "No reason given")),
        ("please #request https://h/fw.zip for my phone", .request(url: "https://h/fw.zip", note: "please for my phone")),
        ("#REQUEST https://h/fw.zip", .request(url: "https://h/fw.zip", note: "")),
    ])
    func commandsParse(text: String, expected: BotCommand) {
        #expect(BotCommand.parse(text, botUsername: "dumpyard_bot") == expected)
    }

    @Test(arguments: ["hello", "/start@other_bot", "/dump@other_bot https://h/x.zip", "/unknown x", "", "#requests https://h/x"])
    func otherTextIsNoCommand(text: String) {
        #expect(BotCommand.parse(text, botUsername: "dumpyard_bot") == nil)
    }

    @Test(arguments: [
        "/dump", "/dump ftp://h/x.zip", "/dump https://", "/dump javascript:alert(1)", "/dump https://h<script>/x", "/cancel", "/cancel a b",
        "/cancel bad/id", "/status x y", "/accept", "/accept zz", "/reject", "#request no link here", "/lookup",
    ])
    func misuseGetsAUsageLine(text: String) {
        guard case .usage(let line) = BotCommand.parse(text, botUsername: "dumpyard_bot") else {
            Issue.record("\(text) → \(String(describing: BotCommand.parse(text)))")
            return
        }
        #expect(!line.isEmpty)
    }

    @Test func aReplyTakesItsRequestIDFromTheCard() {
        #expect(BotCommand.parse("/accept af", isReply: true) == .accept(request: nil, options: DumpOptions(alt: true, force: true)))
        #expect(BotCommand.parse("/reject duplicate of last week", isReply: true) == .reject(request: nil, reason: "duplicate of last week"))
    }

    @Test func aPrivateDumpIsKnownEvenWhenItCannotRun() {
        for text in ["/dump https://h/fw.zip p", "/dump p https://h/fw.zip", "/dump https://x^y/fw.zip ap", "/DUMP@dumpyard_bot h/fw.zip P"] {
            #expect(BotCommand.asksPrivateDump(text), "\(text)")
        }
        for text in ["/dump https://h/private.zip", "/dump https://h/fw.zip af", "/status p", "#request https://h/fw.zip p", "/dump"] {
            #expect(!BotCommand.asksPrivateDump(text), "\(text)")
        }
        #expect(BotCommand.isRequest("please #REQUEST this") && !BotCommand.isRequest("/dump #request"))
    }

    @Test func anIDGivenInAReplyIsTheIDNotOptionsOrReason() {
        // "0badcafe" read as letters would turn on a, f and b.
        #expect(BotCommand.parse("/accept 0badcafe", isReply: true) == .accept(request: "0badcafe", options: DumpOptions()))
        #expect(BotCommand.parse("/accept 0badcafe p", isReply: true) == .accept(request: "0badcafe", options: DumpOptions(isPrivate: true)))
        #expect(BotCommand.parse("/reject 0badcafe spam", isReply: true) == .reject(request: "0badcafe", reason: "spam"))
    }

    @Test func aLongRequestNoteIsCutAtAWord() {
        let words = Array(repeating: "word", count: 200).joined(separator: " ")
        guard case .request(_, let note) = BotCommand.parse("#request https://h/fw.zip " + words) else {
            Issue.record("not a request")
            return
        }
        #expect(note.count <= 301 && note.hasSuffix("word…"))
    }

    @Test func callbackDataRoundTripsAndForgeriesAreRefused() {
        let all: [BotCallback] = [
            .accept(request: "0badcafe"), .reject(request: "0badcafe"), .cancelRequest(request: "0badcafe"),
            .toggle(request: "0badcafe", option: "p"), .submit(request: "0badcafe"),
            .restartConfirm(user: 42, token: "beef01"), .restartCancel(user: -7, token: "beef01"),
        ]
        for callback in all {
            #expect(BotCallback(data: callback.data) == callback)
            #expect(callback.data.utf8.count <= 64)
        }
        for forged in ["rv:accept:../../x", "rv:toggle:0badcafe:z", "rs:yes:notanumber:beef", "rs:yes:1:", "accept_0badcafe", "rv:accept", ""] {
            #expect(BotCallback(data: forged) == nil, "\(forged)")
        }
    }

    @Test func whitelistMatchesHostsAndSubdomainsOnly() {
        let list = SourceWhitelist(fileText: "d.miui.com/\nhttps://dl.google.com/\n# comment\n\n*.mediafire.com\npixeldrain.com # the host\n")
        #expect(list.hosts == ["d.miui.com", "dl.google.com", "mediafire.com", "pixeldrain.com"])
        #expect(list.allows("https://d.miui.com/fw.zip"))
        #expect(list.allows("https://cdnorg.d.miui.com/fw.zip"))
        #expect(list.allows("http://DL.GOOGLE.COM:443/x"))
        #expect(list.allows("https://download1234.mediafire.com/x"))
        #expect(!list.allows("https://evilmiui.com/fw.zip"))
        #expect(!list.allows("https://d.miui.com.evil.org/fw.zip"))
        #expect(!list.allows("https://pixeldrain.com@evil.org/fw.zip"))
        #expect(!list.allows("ftp://d.miui.com/fw.zip"))
        #expect(!list.allows("file:///d.miui.com"))
    }

    @Test func urlCheckKeepsTheHostRight() {
        #expect(FirmwareURL.host(of: "https://user:pw@Example.com:8443/x") == "example.com")
        #expect(FirmwareURL.host(of: "http://[::1]:80/x") == "::1")
        #expect(FirmwareURL.validated("https://h/x y") == nil)
        #expect(FirmwareURL.validated("https://h/\u{7}") == nil)
        #expect(FirmwareURL.validated("https://h/" + String(repeating: "a", count: 3000)) == nil)
    }

    @Test func optionLettersRoundTrip() {
        let options = DumpOptions(alt: true, isPrivate: true, blacklist: true)
        #expect(options.letters == "apb")
        #expect(DumpOptions(letters: [options.letters]) == options)
        #expect(options.labels == ["Alt extractor", "Private", "Blacklist"])
    }
}
