import Crypto
import DumpTestSupport
import Foundation
import Testing

/// AES-128-CTR and AES-128-CBC against the real `openssl enc`.
@Suite struct AESTests {
    let key: [UInt8] = (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
    let counter: [UInt8] = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4] + [UInt8](repeating: 0, count: 7) + [0xfe]
    let data: [UInt8] = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 7) }

    @Test func ctrMatchesOpenSSL() throws {
        let expected = try openssl(["-aes-128-ctr", "-K", hex(key), "-iv", hex(counter), "-nopad"], data)
        #expect(try AES128CTR(key: key, counter: counter).applied(to: data) == expected)
    }

    @Test(arguments: [[1], [15, 1, 17], [7, 33, 4096, 5], [16], [100_000]])
    func ctrStreamsAcrossOddChunks(pattern: [Int]) throws {
        let expected = try openssl(["-aes-128-ctr", "-K", hex(key), "-iv", hex(counter), "-nopad"], data)
        let cipher = try AES128CTR(key: key, counter: counter)
        var out: [UInt8] = []
        var offset = 0
        var turn = 0
        while offset < data.count {
            let n = min(pattern[turn % pattern.count], data.count - offset)
            var chunk = Array(data[offset..<(offset + n)])
            cipher.apply(&chunk)
            out += chunk
            offset += n
            turn += 1
        }
        #expect(out == expected)
    }

    @Test func ctrCarriesIntoTheUpperHalfOfTheCounter() throws {
        // The low 64 bits are all ones: the next block must carry into the nonce, as OpenSSL does.
        let edge: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 9] + [UInt8](repeating: 0xff, count: 8)
        let expected = try openssl(["-aes-128-ctr", "-K", hex(key), "-iv", hex(edge), "-nopad"], Array(data[0..<64]))
        #expect(try AES128CTR(key: key, counter: edge).applied(to: data[0..<64]) == expected)
    }

    @Test func ctrIsItsOwnInverse() throws {
        let sealed = try AES128CTR(key: key, counter: counter).applied(to: data)
        #expect(sealed != data)
        #expect(try AES128CTR(key: key, counter: counter).applied(to: sealed) == data)
    }

    @Test func cbcDecryptMatchesOpenSSL() throws {
        let iv: [UInt8] = (0..<16).map { UInt8(200 - $0) }
        let plain = Array(data[0..<4096])
        let sealed = try openssl(["-aes-128-cbc", "-K", hex(key), "-iv", hex(iv), "-nopad"], plain)
        #expect(try AES128CBC.decrypt(sealed, key: key, iv: iv) == plain)
        #expect(try AES128CBC.decrypt([], key: key, iv: iv) == [])
    }

    @Test func badLengthsThrow() {
        #expect(throws: CryptoError.self) { try AES128CTR(key: [1, 2, 3], counter: counter) }
        #expect(throws: CryptoError.self) { try AES128CTR(key: key, counter: []) }
        #expect(throws: CryptoError.self) { try AES128CBC.decrypt([UInt8](repeating: 0, count: 17), key: key, iv: key) }
        #expect(throws: CryptoError.self) { try AES128CBC.decrypt([UInt8](repeating: 0, count: 16), key: key, iv: [0]) }
    }

    private func openssl(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8] {
        let output = try Tool.run("openssl", ["enc"] + arguments, input: Data(input))
        try #require(output.status == 0, "openssl enc \(arguments): \(output.stderr)")
        return Array(output.stdoutBytes)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
