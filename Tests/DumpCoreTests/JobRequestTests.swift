import DumpCore
import Foundation
import Testing

@Suite struct JobRequestTests {
    @Test(arguments: [
        ("https://host/fw.zip", false, "https://host/fw.zip"),
        ("https://user:pw@host/fw.zip?token=abc#x", false, "https://host/fw.zip"),
        ("https://host/path@v2/fw.zip", false, "https://host/path@v2/fw.zip"),
        // After a real host:port, an "@" is in the path: the host shown is the one reached, and
        // the path (which may hold a password after all) is hidden.
        ("https://github.com:443/u/r/raw/main/@evil.example/fw.zip", false, "https://github.com:443/…"),
        ("https://user:1234/5678@host.example/fw.zip", false, "https://host.example/fw.zip"),
        ("https://user:/secret@host.example/fw.zip", false, "https://host.example/fw.zip"),
        ("https://user:123?x@host.example/fw.zip", false, "https://host.example/fw.zip"),
        ("https://host.example:8443/fw.zip", false, "https://host.example:8443/fw.zip"),
        ("file:///srv/fw.zip", false, "file:///srv/fw.zip"),
        ("https://user:pw@host/fw.zip", true, "(private)"),
        ("https://user:pa/ss@host/fw.zip", false, "https://host/fw.zip"),
        ("https://user:pa?ss@host/fw.zip", false, "https://host/fw.zip"),
        ("user:pw@host/fw.zip", false, "host/fw.zip"),
        ("https://host/fw.zip\n2026 worker w1: forged", false, "https://host/fw.zip\\u{a}2026 worker w1: forged"),
        ("https://host/\u{1b}]0;title\u{07}.zip", false, "https://host/\\u{1b}]0;title\\u{7}.zip"),
    ])
    func theShownURLHidesCredentialsQueriesAndPrivateJobs(url: String, isPrivate: Bool, shown: String) {
        #expect(JobRequest(url: url, isPrivate: isPrivate).displayURL == shown)
    }

    @Test func aShownLinkLeadsToTheHostDownloadedFrom() {
        #expect(JobRequest(url: "https://d.miui.com/fw.zip?t=1").shownLink == "https://d.miui.com/fw.zip")
        #expect(JobRequest(url: "https://u:p@d.miui.com/fw.zip").shownLink == "https://d.miui.com/fw.zip")
        #expect(JobRequest(url: "https://github.com:443/u/r/raw/main/@evil.example/fw.zip").shownLink == nil)
        #expect(JobRequest(url: "https://d.miui.com/fw.zip", isPrivate: true).shownLink == nil)
    }

    @Test func roundTripsAsJSON() throws {
        let request = JobRequest(url: "https://host/fw.zip", alt: true, force: false, isPrivate: true, requestedBy: "tg:42")
        let json = try JSONEncoder().encode(request)
        #expect(String(decoding: json, as: UTF8.self).contains("\"private\":true"))
        #expect(try JSONDecoder().decode(JobRequest.self, from: json) == request)
    }

    @Test func aPrivateJobsErrorsLoseEveryTraceOfItsSource() {
        let local = JobRequest(url: "file:///srv/customer-acme/secret-leak-name.zip", isPrivate: true)
        #expect(local.redacting("validate failed: secret-leak-name.zip: no such file") == "validate failed: (private): no such file")
        #expect(!local.redacting("cannot open /srv/customer-acme/secret-leak-name.zip").contains("acme"))
        let remote = JobRequest(url: "https://files.example.org/x/fw-2024.zip?t=1", isPrivate: true)
        let message = remote.redacting("download failed: files.example.org: HTTP 404 for GET https://files.example.org/x/fw-2024.zip")
        #expect(!message.contains("example") && !message.contains("fw-2024"), "\(message)")
        let open = JobRequest(url: "file:///srv/fw.zip")
        #expect(open.redacting("fw.zip: truncated") == "fw.zip: truncated")
    }
}
