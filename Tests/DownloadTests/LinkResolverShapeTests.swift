import Download
import Testing

/// The resolver interface's value types behave as plain values.
@Suite struct LinkResolverShapeTests {
    @Test func stepsCompareByValue() {
        let page = PageRequest(url: "https://example.com/a")
        #expect(ResolveStep.fetch(page) == .fetch(PageRequest(url: "https://example.com/a")))
        #expect(ResolveStep.download(DirectDownload(url: "https://x/y")) != .failure("no"))
    }
}
