import Foundation

/// The file name in a `Content-Disposition` header: `filename*=UTF-8''…` first, then `filename=`.
enum ContentDisposition {
    static func fileName(_ header: String) -> String? {
        let parameters = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        for parameter in parameters where parameter.lowercased().hasPrefix("filename*=") {
            let value = parameter.dropFirst("filename*=".count)
            guard let quote = value.range(of: "''") else { continue }
            if let decoded = String(value[quote.upperBound...]).removingPercentEncoding { return decoded }
        }
        for parameter in parameters where parameter.lowercased().hasPrefix("filename=") {
            var value = parameter.dropFirst("filename=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            if !value.isEmpty { return String(value) }
        }
        return nil
    }
}
