import HTTP
import Testing

/// Host and port as curl reads them: what the address policy checks and the pin names.
@Suite struct HTTPURLTests {
    @Test(arguments: [
        ("http://localhost:/fw.zip", "localhost", 80),
        ("https://Example.COM/fw.zip", "example.com", 443),
        ("http://user:pw@host.example:8080/x?y=1#z", "host.example", 8080),
        ("http://[::1]/x", "::1", 80),
        ("HTTP://host.example./x", "host.example.", 80),
    ])
    func hostAndPort(url: String, host: String, port: Int) throws {
        let parsed = try #require(HTTPURL(url))
        #expect(parsed.host == host && parsed.port == port)
        #expect(parsed.scheme == "http" || parsed.scheme == "https")
    }

    @Test(arguments: ["", "not a url", "http://", "http://host:99999/"])
    func unreadableURLs(url: String) {
        #expect(HTTPURL(url) == nil)
    }
}
