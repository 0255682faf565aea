import Foundation

/// Base64 in the two spellings hosts use, decoded defensively (nil, never a crash).
enum Base64Decoding {
    /// Standard base64 (`+/`, padding optional, surrounding white space ignored).
    static func standard(_ text: String) -> [UInt8]? {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty, s.utf8.count <= 1 << 20 else { return nil }
        if s.utf8.count % 4 != 0 { s += String(repeating: "=", count: 4 - s.utf8.count % 4) }
        return Data(base64Encoded: s).map { Array($0) }
    }

    /// base64url (`-_`, no padding; MEGA's old links also carry `,`, which is dropped).
    static func url(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ",") }) else {
            return nil
        }
        return standard(String(text.filter { $0 != "," }.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 }))
    }
}
