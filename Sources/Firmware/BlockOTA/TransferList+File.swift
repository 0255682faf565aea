public import DumpCore

extension TransferList {
    /// Parses the transfer list `bytes` read from `file`; a rejection names the file and the line.
    public static func read(_ bytes: [UInt8], file: String) throws(FirmwareError) -> TransferList {
        do { return try TransferList(parsing: bytes) } catch { throw FirmwareError(file: file, cause: error.description) }
    }
}
