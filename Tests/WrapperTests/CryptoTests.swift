import Crypto
import Testing

@Suite struct CryptoTests {
    @Test(arguments: [
        (StreamingDigest.Algorithm.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (StreamingDigest.Algorithm.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (StreamingDigest.Algorithm.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (StreamingDigest.Algorithm.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ])
    func knownAnswers(algorithm: StreamingDigest.Algorithm, input: String, expected: String) {
        #expect(hex(StreamingDigest.digest(algorithm, of: Array(input.utf8))) == expected)
    }

    @Test func streamingEqualsOneShotAndResets() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let d = StreamingDigest(.sha1)
        for chunk in stride(from: 0, to: data.count, by: 7_777) {
            d.update(data[chunk..<min(chunk + 7_777, data.count)])
        }
        let streamed = d.finalize()
        #expect(streamed == StreamingDigest.digest(.sha1, of: data))
        // finalize resets: the same context now hashes from scratch.
        d.update(Array("abc".utf8))
        #expect(hex(d.finalize()) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func gitBlobIdOfHelloMatchesGit() {
        // `printf 'hello\n' | git hash-object --stdin`
        let blob = Array("blob 6\0hello\n".utf8)
        #expect(hex(StreamingDigest.digest(.sha1, of: blob)) == "ce013625030ba8dba906f756967f9e9ca394464a")
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

