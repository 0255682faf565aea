import DumpCore
import Testing

@Suite("DumpNaming")
struct NamingTests {
    private func branch(_ description: String, fingerprint: String = "", oplus: String? = nil, honor: String? = nil)
        -> String
    {
        DumpNaming.branch(
            for: DeviceProperties(
                fingerprint: fingerprint, description: description, oplusPipelineKey: oplus,
                honorProductBaseVersion: honor))
    }

    // MARK: - Branch

    @Test("suffixes: Oplus pipeline key, else HONOR base version; spaces become '-'")
    func suffixes() {
        #expect(branch("a b", oplus: "ALLNET") == "a-b--ALLNET")
        #expect(branch("a b", honor: "7.1.0.150(C00E150R3P3)") == "a-b--7.1.0.150(C00E150R3P3)")
        #expect(branch("a b", oplus: "EU EX", honor: "9") == "a-b--EU-EX")
        #expect(branch("a b", oplus: "", honor: "9") == "a-b--9")
        #expect(branch("a b", oplus: nil, honor: "") == "a-b")
    }

    @Test(
        "branch names are cleaned into valid refs",
        arguments: [
            (
                "coral-user 12 SQ3A.220705.003.A1 8672226 release-keys",
                "coral-user-12-SQ3A.220705.003.A1-8672226-release-keys"
            ),
            ("foo~bar^baz:qux?x*y[z\\w", "foobarbazquxxyzw"),
            ("a..b", "a.b"), ("a....b", "a.b"), ("a.:.b", "a.b"), ("x..", "x"),
            ("release.lock", "release"), ("x.lock.lock", "x"), ("x.lock.", "x"), ("foo.", "foo"),
            ("a.lockb", "a.lockb"), (".lock", "lock"),
            (".hidden", "hidden"), ("-dash", "dash"), (" -. leading", "leading"),
            ("tab\there", "tabhere"), ("line\nbreak\r", "linebreak"), ("\u{1}ctl\u{7F}del\u{85}", "ctldel"),
            ("a/b//c", "a-b--c"), ("/refs/heads/x", "refs-heads-x"),
            ("a@{1}", "a@1}"), ("@{@{x", "@@x"), ("a@b", "a@b"),
            ("Pixel 7 — ünïcode", "Pixel-7-—-ünïcode"), ("日本語 ビルド", "日本語-ビルド"),
            ("zero\u{200B}width\u{202E}rtl", "zerowidthrtl"), ("nbsp\u{00A0}here", "nbsphere"),
            ("lineage_sweet-userdebug 13 TQ3A eng.root", "lineage_sweet-userdebug-13-TQ3A-eng.root"),
        ])
    func cleaned(_ description: String, _ expected: String) {
        let name = branch(description)
        #expect(name == expected)
        #expect(DumpNaming.isValidBranchName(name))
    }

    @Test(
        "nothing usable left: the fingerprint, then 'unknown'",
        arguments: ["", "?*:", "HEAD", "@", "...", "-.-", "\u{0}\u{1B}", " ", ". . ."])
    func fallbacks(_ description: String) {
        #expect(branch(description, fingerprint: "google/sunfish/sunfish:13/TQ3A/1:user/release-keys")
            == "google-sunfish-sunfish13-TQ3A-1user-release-keys")
        #expect(branch(description) == "unknown")
    }

    @Test(
        "long names are cut to 240 UTF-8 bytes at a character boundary",
        arguments: [
            (String(repeating: "a", count: 1000), 240), (String(repeating: "ü", count: 300), 240),
            (String(repeating: "€", count: 100), 240), ("a" + String(repeating: "😀", count: 100), 237),
            ("a" + String(repeating: "e\u{301}", count: 100), 238),
        ])
    func long(_ description: String, _ bytes: Int) {
        let name = branch(description)
        #expect(name.utf8.count == bytes)
        #expect(description.hasPrefix(name))
        #expect(DumpNaming.isValidBranchName(name))
    }

    @Test("a cut that ends in '.lock' or '.' is trimmed again")
    func cutEndsBadly() {
        #expect(branch(String(repeating: "a", count: 235) + ".lock-more") == String(repeating: "a", count: 235))
        #expect(branch(String(repeating: "a", count: 239) + ".b") == String(repeating: "a", count: 239))
    }

    @Test("any text yields a valid, non-empty branch")
    func anyText() {
        let alphabet = Array(" .-/~^:?*[]\\@{}\t\n\r\u{0}\u{7F}\u{85}\u{200B}aZ9_ü😀#lock").map(String.init)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<(Int(state % 13)) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += alphabet[Int(state >> 33) % alphabet.count]
            }
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let name = branch(text, fingerprint: text)
            #expect(DumpNaming.isValidBranchName(name), "\(text.debugDescription) → \(name.debugDescription)")
            #expect(!name.isEmpty && name.utf8.count <= 240)
        }
    }

    // MARK: - isValidBranchName (table checked against `git check-ref-format --branch`, git 2.39)

    @Test(
        "git accepts",
        arguments: [
            "foo", "foo/bar", "a/b/c", "foo-", "a@b", "x@", "@x", "@", "@}", "{", "a{b", "a}b", "a]b", "a.b", "head",
            "ä", "😀", "x/-y", "a/-", "@/x", "x/@", "foo.lockx", "a.lock.b", "a#b", "a'b", "a\"b", "a!b", "a$b",
            "a%b", "a&b", "a(b)", "a+b", "a,b", "a;b", "a<b>", "a=b", "a|b", "a`b", "refs/heads/x", "a@1}",
            "a\u{85}b", "a\u{200B}b", "a\u{FFFD}b", "RMX3363_11.A.13--ABC", "Pixel-7-—-ünïcode",
        ])
    func gitAccepts(_ name: String) {
        #expect(DumpNaming.isValidBranchName(name))
    }

    @Test(
        "git refuses",
        arguments: [
            "", "-", "-foo", ".", "..", ".foo", "foo.", "a.", "a/.", "foo.lock", "a.lock.", "foo.lock/bar", "foo/.bar",
            "foo/bar.lock", "x/y.lock/z", "a..b", "a@{b", "@{", "HEAD", "a b", "a~b", "a^b", "a:b", "a?b", "a*b",
            "a[b", "a\\b", "a\u{7F}b", "a\tb", "a\u{1}b", "a\nb", "a//b", "/a", "a/",
        ])
    func gitRefuses(_ name: String) {
        #expect(!DumpNaming.isValidBranchName(name))
    }

    // MARK: - Subgroup and project

    @Test(
        "project names",
        arguments: [
            ("sweet", "sweet"), ("RMX2001L1", "rmx2001l1"), ("sweet_global", "sweet-global"),
            ("Realme GT Neo 2", "realme-gt-neo-2"), (".hidden", "hidden"), ("-x-", "x"), ("a..b", "a.b"),
            ("foo.git", "foo-git"), ("foo.atom", "foo-atom"), ("Ünïcode", "n-code"), ("\u{7}bell", "bell"),
            ("___", "unknown"), ("   ", "unknown"), ("", "unknown"), ("a/b", "a-b"), ("C:\\x", "c--x"),
            ("Moto G (5)", "moto-g--5"), ("abcdefghij" + "abcdefghij" + "abcdefghij" + "abcdefghij",
            "abcdefghijabcdefghijabcdefghijabcde"),
            ("a_very_long_codename_that_goes_on_and_on", "a-very-long-codename-that-goes-on-a"),
            (String(repeating: "x", count: 34) + "_y", String(repeating: "x", count: 34)),
        ])
    func project(_ codename: String, _ expected: String) {
        #expect(DumpNaming.project(for: DeviceProperties(codename: codename)) == expected)
    }

    @Test(
        "subgroup: brand, else manufacturer, else unknown",
        arguments: [
            ("Redmi", "Xiaomi", "redmi"), ("", "HUAWEI", "huawei"), ("", "", "unknown"), ("OnePlus", "", "oneplus"),
            ("Sony_Mobile", "", "sony-mobile"), ("ＨＯＮＯＲ", "", "unknown"),
        ])
    func subgroup(_ brand: String, _ manufacturer: String, _ expected: String) {
        #expect(DumpNaming.subgroup(for: DeviceProperties(manufacturer: manufacturer, brand: brand)) == expected)
    }

    @Test("subgroup and project are single safe path segments", arguments: ["a", "_", ".", "..", "x/y", "ü", "a.git"])
    func safeSegments(_ raw: String) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        for name in [
            DumpNaming.subgroup(for: DeviceProperties(brand: raw)),
            DumpNaming.project(for: DeviceProperties(codename: raw)),
        ] {
            #expect(!name.isEmpty && name.allSatisfy(allowed.contains))
            #expect(!name.hasPrefix(".") && !name.hasPrefix("-") && !name.hasSuffix(".") && !name.hasSuffix("-"))
            #expect(!name.contains("..") && !name.hasSuffix(".git"))
        }
    }

    // MARK: - README

    @Test("README golden")
    func readme() throws {
        let properties = try PropertyResolver.resolve(PropsFixture.xiaomi.files)
        let branch = DumpNaming.branch(for: properties)
        let repo = DumpNaming.subgroup(for: properties) + "/" + DumpNaming.project(for: properties)
        #expect(
            DumpReadme.render(properties, branch: branch, repo: repo) == """
                ## sweet-user 12 SKQ1.210908.001 V13.0.6.0.SKFMIXM release-keys

                - manufacturer: Xiaomi
                - platform: atoll
                - codename: sweet
                - flavor: sweet-user
                - release: 12
                - id: SKQ1.210908.001
                - incremental: V13.0.6.0.SKFMIXM
                - tags: release-keys
                - fingerprint: Redmi/sweet_global/sweet:12/SKQ1.210908.001/V13.0.6.0.SKFMIXM:user/release-keys
                - is_ab: false
                - brand: Redmi
                - branch: sweet-user-12-SKQ1.210908.001-V13.0.6.0.SKFMIXM-release-keys
                - repo: redmi/sweet

                """)
    }

    @Test("README of an A/B device with empty fields")
    func readmeSparse() {
        let text = DumpReadme.render(
            DeviceProperties(codename: "x", description: "d", isAB: true), branch: "d", repo: "unknown/x")
        #expect(
            text
                == "## d\n\n- manufacturer: \n- platform: \n- codename: x\n- flavor: \n- release: \n- id: \n"
                + "- incremental: \n- tags: \n- fingerprint: \n- is_ab: true\n- brand: \n- branch: d\n"
                + "- repo: unknown/x\n")
    }
}

@Suite struct HostileNameTests {
    @Test(arguments: [".git", ".GIT", "git~1", "GIT~1", "a/b", "", ".", ".."])
    func reservedOrBrokenComponentsAreRefused(name: String) {
        #expect(RepoPath.problem(withComponent: Array(name.utf8)[...]) != nil)
    }

    @Test func aSymlinkedGitmodulesIsRefused() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        #expect(throws: ManifestError.self) {
            _ = try Manifest([ManifestEntry(path: RepoPath("system/.gitmodules"), mode: .symlink, id: id, size: 4)])
        }
        #expect(throws: Never.self) {
            _ = try Manifest([ManifestEntry(path: RepoPath("system/.gitmodules"), mode: .regular, id: id, size: 4)])
        }
    }

    @Test func displayNamesAreOneLine() {
        let shown = DisplayName.of(Array("x\ndumpyard: forged".utf8) + [0xFF, 0x00])
        #expect(!shown.contains("\n"))
        #expect(shown == "x\\x0adumpyard: forged\\?\\x00")
    }
}

@Suite struct ManifestTextTests {
    @Test func manifestTextRoundTripsAnyName() throws {
        let id = try #require(ObjectID(hex: String(repeating: "cd", count: 20)))
        let names: [[UInt8]] = [Array("system/bin/sh".utf8), Array("a b\\c".utf8), [0x66, 0x0A, 0xFF, 0x20, 0x09], Array("système/名前".utf8)]
        let manifest = try Manifest(names.enumerated().map { ManifestEntry(path: RepoPath(bytes: $1), mode: .regular, id: id, size: UInt64($0)) })
        #expect(!manifest.text.dropLast().contains("\n\n"))
        #expect(manifest.text.split(separator: "\n").count == names.count)
        #expect(try Manifest(text: manifest.text) == manifest)
    }
}

@Suite struct AllFilesListTests {
    @Test func oneLinePerPathInByteOrderWithControlCharactersEscaped() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ef", count: 20)))
        let paths: [[UInt8]] = [Array("system/b".utf8), Array("system/a".utf8), Array("x\nsystem/bin/su".utf8)]
        let listing = try Manifest(paths.map { ManifestEntry(path: RepoPath(bytes: $0), mode: .regular, id: id, size: 1) })
        #expect(String(decoding: AllFilesList.render(listing), as: UTF8.self) == "system/a\nsystem/b\nx\\x0asystem/bin/su\n")
    }
}
