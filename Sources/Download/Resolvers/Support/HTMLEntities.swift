/// Decodes the character references that occur in attribute values and short texts.
enum HTMLEntities {
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
    ]

    /// `s` with `&amp;`, `&#39;`, `&#x2F;`… replaced; unknown or broken references are kept.
    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            guard let semi = rest[afterAmp...].prefix(12).firstIndex(of: ";"),
                let decoded = reference(String(rest[afterAmp..<semi]))
            else {
                out += "&"
                rest = rest[afterAmp...]
                continue
            }
            out += decoded
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    private static func reference(_ name: String) -> String? {
        if let text = named[name] { return text }
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return String(Character(scalar))
    }
}
