/// A `multipart/form-data` body: text fields, then one file.
struct MultipartForm {
    let boundary = "dumpyard-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let body: [UInt8]
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    init(fields: [(String, String)], file: (field: String, name: String, contents: [UInt8])) {
        var out: [UInt8] = []
        let boundary = self.boundary
        for (name, value) in fields {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        // The file name as a quoted string: quotes, backslashes and line breaks cannot break out.
        let safeName = String(file.name.unicodeScalars.filter { $0 != "\"" && $0 != "\\" && $0.value >= 0x20 && $0 != "\u{7F}" })
        out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(safeName)\"\r\n".utf8)
        out += Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
        out += file.contents
        out += Array("\r\n--\(boundary)--\r\n".utf8)
        body = out
    }
}
