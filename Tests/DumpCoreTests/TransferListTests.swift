import DumpCore
import Testing

@Suite("TransferList")
struct TransferListTests {
    static func parse(_ text: String) throws(TransferListError) -> TransferList { try TransferList(parsing: Array(text.utf8)) }

    @Test func versionOneHasTwoHeaderLines() throws {
        let list = try Self.parse("1\n5\nerase 2,0,10\nnew 4,6,8,0,2\nzero 2,2,4\n")
        #expect(list.version == 1)
        #expect(list.declaredTotalBlocks == 5)
        #expect(list.newRanges == [BlockRange(start: 6, end: 8), BlockRange(start: 0, end: 2)])
        #expect(list.newBlockCount == 4)
        #expect(list.blockCount == 10)
        #expect(list.imageSize == 40960)
        // The erase/zero ranges never touch written blocks: no explicit zero step.
        #expect(list.steps == [.new([BlockRange(start: 6, end: 8), BlockRange(start: 0, end: 2)])])
    }

    @Test func laterVersionsHaveStashLinesAndCRLF() throws {
        let list = try Self.parse("4\r\n3\r\n0\r\n0\r\nnew 2,0,3\r\n\r\n")
        #expect(list.version == 4)
        #expect(list.newBlockCount == 3)
        #expect(list.steps == [.new([BlockRange(start: 0, end: 3)])])
    }

    @Test func zeroOverWrittenBlocksBecomesAStep() throws {
        let list = try Self.parse("2\n4\n0\n0\nnew 2,0,4\nzero 4,2,6,8,9\n")
        #expect(list.steps == [.new([BlockRange(start: 0, end: 4)]), .zeros([BlockRange(start: 2, end: 4)])])
        #expect(list.blockCount == 9)
    }

    @Test(arguments: [
        ("4\n1\n0\n0\nbsdiff 0 1 a b 2,0,1 1 2,0,1\n", 5, "incremental block OTA: it uses `bsdiff`, which needs the source image"),
        ("3\n1\n0\n0\nnew 2,0,1\nmove x 2,0,1 1 2,0,1\n", 6, "uses `move`"),
        ("2\n1\n0\n0\nimgdiff 0 1\n", 5, "uses `imgdiff`"),
        ("4\n1\n0\n0\nfree abc\n", 5, "uses `free`"),
        ("4\n1\n0\n0\nfrobnicate 2,0,1\n", 5, "unknown transfer list command `frobnicate`"),
        ("4\n1\n0\n0\nnew 3,0,1,2\n", 5, "odd or empty count of numbers (3)"),
        ("4\n1\n0\n0\nnew 0\n", 5, "odd or empty count"),
        ("4\n2\n0\n0\nnew 2,0,2\nnew 2,1,3\n", 6, "block 1 is written by two `new` commands (lines 5 and 6)"),
        ("4\n1\n0\n0\nnew 4,0,1\n", 5, "declares 4 numbers but has 2"),
        ("4\n1\n0\n0\nnew 2,5,5\n", 5, "empty or reversed range 5-5"),
        ("4\n1\n0\n0\nnew 2,6,5\n", 5, "empty or reversed range"),
        ("4\n1\n0\n0\nnew 2,0,99999999999999999999999\n", 5, "invalid block number"),
        ("4\n1\n0\n0\nnew 2,0,4294967297\n", 5, "invalid block number"),
        ("4\n1\n0\n0\nnew 2,-1,3\n", 5, "invalid block number"),
        ("4\n1\n0\n0\nnew\n", 5, "takes one range set"),
        ("4\n1\n0\n0\nnew 2,0,1 2,1,2\n", 5, "takes one range set"),
        ("5\n1\n", 1, "unsupported transfer list version 5"),
        ("x\n", 1, "invalid version"),
        ("4\n99999999999999\n0\n0\n", 2, "invalid total block count"),
        ("4\n1\n", 3, "invalid stash entry count"),
        ("", 1, "invalid version"),
    ])
    func rejects(text: String, line: Int, fragment: String) {
        let error = #expect(throws: TransferListError.self) { try Self.parse(text) }
        #expect(error?.line == line)
        #expect(error?.cause.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func rejectsBinary() {
        let error = #expect(throws: TransferListError.self) { try TransferList(parsing: [0x34, 0x0A, 0xFF]) }
        #expect(error?.cause.contains("not ASCII") == true)
    }
}
