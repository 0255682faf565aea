import DumpCore
import Foundation
import Testing

@Suite struct JobRequestTests {
    @Test(arguments: [
        ("https://host/fw.zip", false, "https://host/fw.zip"),
        ("https://user:pw@host/fw.zip?token=abc#x", false, "https://host/fw.zip"),
        ("https://host/path@v2/fw.zip", false, "https://host/path@v2/fw.zip"),
        ("file:///srv/fw.zip", false, "file:///srv/fw.zip"),
        ("https://user:pw@host/fw.zip", true, "(private)"),
    ])
    func theShownURLHidesCredentialsQueriesAndPrivateJobs(url: String, isPrivate: Bool, shown: String) {
        #expect(JobRequest(url: url, isPrivate: isPrivate).displayURL == shown)
    }

    @Test func roundTripsAsJSON() throws {
        let request = JobRequest(url: "https://host/fw.zip", alt: true, force: false, isPrivate: true, requestedBy: "tg:42")
        let json = try JSONEncoder().encode(request)
        #expect(String(decoding: json, as: UTF8.self).contains("\"private\":true"))
        #expect(try JSONDecoder().decode(JobRequest.self, from: json) == request)
    }
}
