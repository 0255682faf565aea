/// Text for Telegram's HTML parse mode: the one escaping function (`&`, `<` and `>` as entities,
/// the only characters Telegram's HTML needs escaped outside tags; quotes too, for attributes),
/// and cutting by Telegram's measure of length.
public enum TelegramHTML {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// At most `limit` UTF-16 units (how Telegram measures a message), "…" at the end when cut;
    /// a character of many combining marks is cut inside.
    public static func cut(_ text: String, _ limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        var kept = String.UnicodeScalarView()
        var units = 0
        for scalar in text.unicodeScalars {
            units += scalar.utf16.count
            guard units <= limit - 1 else { break }
            kept.append(scalar)
        }
        return String(kept) + "…"
    }
}
