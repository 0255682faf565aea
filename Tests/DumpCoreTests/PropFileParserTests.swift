import DumpCore
import Testing

@Suite("PropFileParser")
struct PropFileParserTests {
    @Test(
        "text layouts",
        arguments: [
            ("ro.a=b", ["ro.a": "b"]),
            ("a=b\r\nc=d\r\n", ["a": "b", "c": "d"]),
            ("a=b\rc=d\r", ["a": "b", "c": "d"]),
            ("  a  =  b  ", ["a": "b"]),
            ("a\t=\tb\t", ["a": "b"]),
            ("a= spaced value ", ["a": "spaced value"]),
            ("# a=b\n#c=d\n   # e=f", [:]),
            ("a=b # not a comment", ["a": "b # not a comment"]),
            ("a=1\na=2", ["a": "2"]),
            ("a=1\na=", ["a": ""]),
            ("a=b=c", ["a": "b=c"]),
            (
                "import /vendor/etc/x.prop\nimport\t/odm/x.prop\nimportant=yes\nimport=1",
                ["important": "yes", "import": "1"]
            ),
            ("no equals here\n=value\n  =  \n", [:]),
            ("", [:]),
            ("\n\n\r\n", [:]),
            ("key with space=v", ["key with space": "v"]),
            ("a=b\n\n\nc=d", ["a": "b", "c": "d"]),
        ] as [(String, [String: String])])
    func text(_ text: String, _ expected: [String: String]) {
        #expect(PropFileParser.parse(Array(text.utf8)) == expected)
    }

    @Test("a UTF-8 byte order mark is ignored")
    func byteOrderMark() {
        #expect(PropFileParser.parse([0xEF, 0xBB, 0xBF] + Array("a=b".utf8)) == ["a": "b"])
    }

    @Test("bytes that are not UTF-8 become U+FFFD and spoil only their own line")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("a=caf".utf8) + [0xE9] + Array("\n".utf8) + [0xFF, 0xFE] + Array("=x\n".utf8)
            + [0xC3, 0x28] + Array("\nb=ok".utf8)
        #expect(PropFileParser.parse(bytes) == ["a": "caf\u{FFFD}", "\u{FFFD}\u{FFFD}": "x", "b": "ok"])
    }

    @Test("binary noise does not crash and yields no well-formed keys")
    func noise() {
        var state: UInt32 = 7
        let bytes = (0..<65_536).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let properties = PropFileParser.parse(bytes)
        #expect(properties["ro.product.device"] == nil)
        #expect(properties.keys.allSatisfy { !$0.isEmpty && !$0.contains("\n") })
    }
}
