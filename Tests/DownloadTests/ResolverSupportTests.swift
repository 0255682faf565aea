@testable import Download
import Testing

/// The small parsers the resolvers share: tags, references, base64, JSON numbers, file names.
@Suite struct ResolverSupportTests {
    @Test func tagsAttributesAndReferences() {
        let html = HTMLDocument(Array(#"""
            <!-- <a id="commented" href="https://x/"> --><A HREF='https://a.example/x?a=1&amp;b=2' data-X="&#x2F;&#47;&lt;&bogus;"
            id=bare disabled>Text &amp; more</A><script>var s = "<a id=\"inscript\" href=\"javascript:x\">";</script><style>a{}</style>
            <a href="https://b.example/">B</a><form id="f"><input type="hidden" name="n" value="v"></form><a href="unterminated
            """#.utf8))
        let links = html.tags(named: "a")
        #expect(links.map { $0["href"] } == ["https://a.example/x?a=1&b=2", "https://b.example/", "unterminated"])
        #expect(links[0]["data-x"] == "//<&bogus;")
        #expect(links[0]["id"] == "bare")
        #expect(links[0]["disabled"] == "")
        #expect(html.text(after: links[0]) == "Text & more")
        #expect(html.tags.map(\.name).contains("/form"))
        #expect(!html.tags.contains { $0["id"] == "commented" || $0["id"] == "inscript" })
    }

    @Test func scannerSurvivesGarbage() {
        for garbage in ["<", "<<<<", "<a", "<a href", "<a href=", "<a href='", "<!--", "<script>", "</", "<a =x =y>", "&#xFFFFFFFF;&#0;&;"] {
            _ = HTMLDocument(Array(garbage.utf8))
            _ = HTMLEntities.decode(garbage)
        }
        let random = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
        _ = HTMLDocument(random)
    }

    @Test func tagsAreCapped() {
        let html = HTMLDocument(Array(String(repeating: "<b>", count: HTMLDocument.maxTags + 10).utf8))
        #expect(html.tags.count == HTMLDocument.maxTags)
    }

    @Test func base64Spellings() {
        #expect(Base64Decoding.standard("aGk=") == Array("hi".utf8))
        #expect(Base64Decoding.standard("aGk") == Array("hi".utf8))
        #expect(Base64Decoding.standard("a") == nil)
        #expect(Base64Decoding.standard("") == nil)
        #expect(Base64Decoding.url("_-8") == [0xff, 0xef])
        #expect(Base64Decoding.url("_-,8") == [0xff, 0xef])
        #expect(Base64Decoding.url("/+8=") == nil)
        #expect(Base64Decoding.url("ab cd") == nil)
    }

    @Test func jsonNumbersAreNotBooleans() {
        let value = JSONReading.value(of: Array(#"{"one":1,"t":true,"big":5368709120,"f":1.5,"neg":-9,"huge":1e300}"#.utf8)) as? [String: Any]
        #expect(JSONReading.size(value?["one"]) == 1)
        #expect(JSONReading.size(value?["t"]) == nil)
        #expect(JSONReading.bool(value?["t"]) == true)
        #expect(JSONReading.bool(value?["one"]) == nil)
        #expect(JSONReading.size(value?["big"]) == 5_368_709_120)
        #expect(JSONReading.integer(value?["f"]) == nil)
        #expect(JSONReading.integer(value?["neg"]) == -9)
        #expect(JSONReading.size(value?["neg"]) == nil)
        #expect(JSONReading.integer(value?["huge"]) == nil)
        #expect(JSONReading.value(of: Array("not json".utf8)) == nil)
        #expect(JSONReading.value(of: []) == nil)
        #expect(JSONReading.value(of: Array(String(repeating: "[", count: 100_000).utf8)) == nil)
    }

    @Test func fileNameHints() {
        #expect(FileNameHint.clean("../../etc/passwd") == "passwd")
        #expect(FileNameHint.clean("a\u{0}b\nc.zip") == "abc.zip")
        #expect(FileNameHint.clean("..") == nil)
        #expect(FileNameHint.clean("dir/") == "dir")
        #expect(FileNameHint.clean("") == nil)
        #expect(FileNameHint.clean(String(repeating: "é", count: 300))?.utf8.count == 254)
    }

    @Test func contentDispositionNames() {
        #expect(ContentDisposition.fileName(#"attachment; filename="a.zip"; filename*=UTF-8''b%20c.zip"#) == "b c.zip")
        #expect(ContentDisposition.fileName(#"attachment; filename="a.zip""#) == "a.zip")
        #expect(ContentDisposition.fileName("inline") == nil)
    }

    @Test func queriesKeepPlusAndAmpersand() {
        #expect(QueryEncoding.encode([("at", "a+b/c:d"), ("x", "&=")]) == "at=a%2Bb%2Fc%3Ad&x=%26%3D")
    }

    @Test func messagesQuotePagesSafely() {
        #expect(ResolverRules.quoted("a\n\u{7}b   c") == "a b c")
        #expect(ResolverRules.quoted(String(repeating: "x", count: 500)).count == 201)
    }
}
