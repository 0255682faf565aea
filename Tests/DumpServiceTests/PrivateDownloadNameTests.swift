@testable import DumpService
import DumpTestSupport
import Foundation
import Testing

/// A private job's download gets a name that says nothing of its source, unless it names a
/// partition (which the dump needs to know a bare image's partition).
@Suite struct PrivateDownloadNameTests {
    @Test(arguments: [
        ("SECRET-customer-build.zip", "firmware.zip"),
        ("fw?token=x", "firmware"),
        ("SECRET.tar.md5", "firmware.md5"),
        ("system.img", "system.img"),
        ("vendor.img.xz", "vendor.img.xz"),
        ("system_a.img", "system_a.img"),
        ("super.img", "super.img"),
        ("my_product.img", "my_product.img"),
        ("userdata.img", "firmware.img"),
    ])
    func privateDownloadsAreRenamedUnlessTheyNameAPartition(served: String, kept: String) throws {
        let directory = try TemporaryDirectory("private-name")
        let path = directory.file(served)
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        let renamed = RunJobCommand.neutralName(path)
        #expect((renamed as NSString).lastPathComponent == kept)
        #expect(FileManager.default.fileExists(atPath: renamed))
    }
}
