import DumpCore
import Testing

/// The status message and the bot's other texts: escaped values, hidden private URLs, the parts
/// each phase shows.
@Suite struct BotTextsTests {
    let view = JobStatusView(
        job: "0123abcd4567", url: "https://h/fw_<b>&.zip", options: DumpOptions(alt: true), phase: .running, step: 3, percent: 24,
        detail: "system.img: 12 of 40 MiB", elapsedSeconds: 75, worker: "w1", device: "yard_phone gravel")

    @Test func aRunningJobShowsEveryPartEscaped() {
        let html = view.html
        #expect(html.hasPrefix("<b>Firmware dump in progress</b>"))
        #expect(html.contains("<code>https://h/fw_&lt;b&gt;&amp;.zip</code>"))
        #expect(html.contains("▰▰▱▱▱▱▱▱▱▱ 24% · step 3/10 unpack container"))
        #expect(html.contains("Elapsed: 1m 15s · Worker: <code>w1</code>"))
        #expect(html.contains("Device: yard_phone gravel"))
        #expect(html.contains("Options: Alt extractor"))
        #expect(!html.contains("Failed at"))
    }

    @Test func aPrivateJobNeverShowsItsURL() {
        var hidden = view
        hidden.options.isPrivate = true
        hidden.phase = .failed
        hidden.error = "download failed"
        #expect(!hidden.html.contains("h/fw"))
        #expect(hidden.html.contains("hidden (private dump)") && hidden.html.hasPrefix("<b>Private dump failed</b>"))
    }

    @Test func aFailureNamesTheFailedAndLastSuccessfulStep() {
        var failed = view
        failed.phase = .failed
        failed.step = 2
        failed.error = "HTTP 404 from h"
        #expect(failed.html.contains("Failed at: step 2/10 download"))
        #expect(failed.html.contains("Last successful: step 1/10 validate"))
        #expect(failed.html.contains("Error: <code>HTTP 404 from h</code>"))
    }

    @Test func aCompletedJobLinksItsRepository() {
        var done = view
        done.phase = .completed
        done.step = 10
        done.percent = 100
        done.repository = "https://gitlab.example/dumps/yardphone/gravel/-/tree/a_b"
        done.branch = "a_b"
        #expect(done.html.contains("<a href=\"https://gitlab.example/dumps/yardphone/gravel/-/tree/a_b\">"))
        #expect(done.html.contains("▰▰▰▰▰▰▰▰▰▰ 100% · step 10/10 notify"))
        done.repository = "/srv/dumps/yardphone/gravel.git"
        #expect(done.html.contains("Repository: <code>/srv/dumps/yardphone/gravel.git</code>"))
    }

    @Test func longValuesStayWithinTelegramsLimit() {
        var huge = view
        huge.phase = .failed
        huge.error = String(repeating: "x", count: 10000)
        huge.detail = String(repeating: "y", count: 10000)
        huge.url = String(repeating: "z", count: 10000)
        #expect(huge.html.count < 4096)
    }

    @Test(arguments: [(0, "0s"), (59, "59s"), (60, "1m 00s"), (3599, "59m 59s"), (3660, "1h 01m")])
    func durations(seconds: Int, text: String) {
        #expect(JobStatusView.duration(seconds) == text)
    }

    @Test func helpShowsAdminLinesOnlyToAdmins() {
        #expect(!BotTexts.help(isAdmin: false).contains("/clearqueue"))
        #expect(BotTexts.help(isAdmin: true).contains("/clearqueue"))
        #expect(BotTexts.help(isAdmin: false).contains("/dump &lt;url&gt;"))
    }

    @Test func theChannelPostLinksTheFirmwareOnlyWhenGiven() {
        let post = BotTexts.channelPost(
            brand: "yard_phone", codename: "gravel", release: "14", fingerprint: "a/b:14/c", platform: "", repository: "https://g/x", firmwareURL: nil)
        #expect(post.contains("<b>Brand</b>: <code>yard_phone</code>") && !post.contains("Platform") && !post.contains("firmware"))
        let linked = BotTexts.channelPost(
            brand: "b", codename: "c", release: "", fingerprint: "", platform: "", repository: "https://g/x", firmwareURL: "https://d.miui.com/a&b.zip")
        #expect(linked.contains("[<a href=\"https://d.miui.com/a&amp;b.zip\">firmware</a>]"))
    }

    @Test func textsAreCutByTelegramsMeasureUTF16Units() {
        let heavy = "x" + String(repeating: "\u{301}", count: 900)  // one character, 901 units
        #expect(heavy.count == 1 && TelegramHTML.cut(heavy, 50).utf16.count <= 50)
        #expect(TelegramHTML.cut("😀😀😀", 4) == "😀…", "a surrogate pair is never split")
        let note = String(repeating: "e" + String(repeating: "\u{308}", count: 13) + " ", count: 285)
        guard case .request(_, let kept) = BotCommand.parse("#request https://h/fw.zip " + note) else {
            Issue.record("not a request")
            return
        }
        #expect(kept.utf16.count <= 301, "\(kept.utf16.count) units")
        let card = BotTexts.review(request: "0badcafe", requester: "@x", url: "https://h/" + String(repeating: "a", count: 2000), note: kept)
        #expect(card.utf16.count < 4096)
    }
}
