import DumpCore
import Testing

@Suite struct MemberNamingTests {
    @Test(arguments: [
        ("system.img", "system", nil), ("system_a.img", "system", "a"), ("vendor_b.img", "vendor", "b"),
        ("product.img.ext4", "product", nil), ("system_image.emmc.img", "system", nil), ("NON-HLOS.bin", "modem", nil),
        ("boot-verified.img", "boot", nil), ("tz.mbn", "tz", nil), ("system.raw.img", "system", nil),
        ("system_new.img", "system", nil), ("my_manifest.img", "my_manifest", nil), ("system_other.img", "system_other", nil),
        ("vendor_boot_a.img", "vendor_boot", "a"), (".img", nil, nil), ("a b.img", nil, nil), ("_a.img", "_a", nil),
    ] as [(String, String?, Character?)])
    func partitionNamesAndSlots(file: String, name: String?, slot: Character?) {
        let parsed = PartitionName.parse(fileName: file)
        #expect(parsed?.name == name)
        #expect(parsed?.slot == slot)
    }

    @Test func dumpedPartitionsFollowTheExistingList() {
        for name in ["system", "vendor", "product", "odm", "system_ext", "my_product", "my_heytap", "oppo_product", "mi_ext", "vendor_dlkm"] {
            #expect(PartitionName.isDumped(name), "\(name)")
        }
        for name in ["cache", "userdata", "persist", "metadata", "boot", "vbmeta", "my_", "super"] {
            #expect(!PartitionName.isDumped(name), "\(name)")
        }
    }

    @Test(arguments: [
        ("system.transfer.list", MemberRole.transferList(partition: "system")),
        ("system.new.dat", .newData(partition: "system", encoding: .plain, piece: nil)),
        ("system.new.dat.br", .newData(partition: "system", encoding: .brotli, piece: nil)),
        ("vendor.new.dat.xz", .newData(partition: "vendor", encoding: .xz, piece: nil)),
        ("system.new.dat.12", .newData(partition: "system", encoding: .plain, piece: 12)),
        ("system.patch.dat", .patchData(partition: "system")),
        ("super.img_sparsechunk.3", .sparsePiece(base: "super", index: 3)),
        ("super.img.10", .sparsePiece(base: "super", index: 10)),
        ("super.img.params", .single), ("super.img.lz4", .single), ("super.img", .single), ("system.img.+1", .single),
        ("super.img.12345", .single), (".new.dat", .single), ("system.new.dat.br.1", .single),
    ])
    func rolesFromNames(file: String, role: MemberRole) {
        #expect(MemberRole.of(fileName: file) == role)
    }

    @Test func nestedImageCandidates() {
        #expect(NestedImages.isCandidate("vendor/euclid/my_product.img"))
        #expect(NestedImages.isCandidate("system/system/euclid/my_manifest.img"))
        #expect(NestedImages.isCandidate("reserve/reserve/apps.img"))
        #expect(!NestedImages.isCandidate("vendor/euclid/sub/my_product.img"))
        #expect(!NestedImages.isCandidate("vendor/euclid/.img"))
        #expect(!NestedImages.isCandidate("vendor/firmware/modem.img"))
        #expect(NestedImages.directory(for: "vendor/euclid/my_product.img") == "vendor/euclid/my_product")
    }

    @Test func contentKindsOfWrappersAndContainers() {
        #expect(ContentKind.detect(Array("CrAU".utf8) + [0, 0, 0, 0, 0, 0, 0, 2]) == .payload)
        #expect(ContentKind.detect([0x1F, 0x8B, 0x08, 0]) == .compressed(.gzip))
        #expect(ContentKind.detect([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) == .compressed(.xz))
        #expect(ContentKind.detect([0x04, 0x22, 0x4D, 0x18, 0x64]) == .compressed(.lz4))
        #expect(ContentKind.detect([0x28, 0xB5, 0x2F, 0xFD]) == .compressed(.zstd))
        #expect(ContentKind.detect(Array("BZh91AY&SY".utf8)) == .compressed(.bzip2))
        #expect(ContentKind.detect(Array("BZh".utf8)) == .other)
        #expect(ContentKind.detect([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4]) == .sevenZip)
        var tar = [UInt8](repeating: 0, count: 512)
        tar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        #expect(ContentKind.detect(tar) == .tar)
        var lp = [UInt8](repeating: 0, count: 4200)
        lp.replaceSubrange(4096..<4100, with: [0x67, 0x44, 0x6C, 0x61])
        #expect(ContentKind.detect(lp) == .superImage)
        #expect(ContentKind.detect(lp.prefix(4099)) == .other)
    }
}

@Suite struct GitReservedNameTests {
    @Test(arguments: [
        ".git", ".GIT", "git~1", ".g\u{200C}it", ".\u{FEFF}git", ".git.", ".git ", ".git. .", ".git::$INDEX_ALLOCATION",
        ".gitmodules", ".GitModules", ".gitmodules\u{200D}", "gitmod~1", ".gitmodules ",
    ])
    func reservedNamesAreRefused(name: String) {
        #expect(RepoPath.problem(withComponent: ArraySlice(Array(name.utf8))) != nil, "\(name.debugDescription)")
    }

    @Test(arguments: [".github", "git", ".gitignore", ".gitattributes", "a.git", ".gitx", ".gitmodulesx", "gitmodules"])
    func ordinaryNamesPass(name: String) {
        #expect(RepoPath.problem(withComponent: ArraySlice(Array(name.utf8))) == nil, "\(name)")
    }
}
