/// The one escaping function for text in Telegram's HTML parse mode: `&`, `<` and `>` as entities (the
/// only characters Telegram's HTML needs escaped outside tags; quotes too, for attributes).
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
}
