import Testing

@testable import Dedup

/// The single-pass fingerprint (`TextPass` and the byte-level helpers) against the general path it
/// replaces (`TextNormalizer.normalize`, `Shingles.hashes`, `cleanTitle`, ...): results must be identical,
/// since fingerprints are stored.
@Suite struct TextPassTests {
    static let texts: [String] = [
        "",
        "\n\r\n  \n",
        "one two",
        "one two three four",
        "JAKARTA, KOMPAS.com - Presiden meresmikan jalan tol baru di Jawa Tengah pada hari Senin pagi.\n"
            + "Baca juga: Harga Beras Naik Lagi di Pasar Induk\n"
            + "Jalan tol sepanjang 40 kilometer itu menghubungkan dua kota besar di provinsi tersebut.\n"
            + "Menurut menteri, proyek ini selesai lebih cepat dari jadwal yang ditetapkan sebelumnya.\n"
            + "Pembangunan dimulai tiga tahun lalu dengan anggaran triliunan rupiah dari negara.\n"
            + "(Foto: ANTARA/Budi)\n"
            + "Editor: Hasanudin | Penulis: Budi Santoso\n"
            + "Warga berharap tarif tol tidak terlalu mahal bagi pengguna jalan sehari-hari.\n"
            + "Baca dan Ikuti Berita Tribunnews.com di GOOGLE NEWS",
        "LONDON (Reuters) \u{2013} British inflation rose unexpectedly last month, official data showed.\r\n"
            + "The Office for National Statistics said consumer prices rose 3.8 percent in the year.\r\n"
            + "Economists polled by Reuters had expected a smaller rise of 3.6 percent this time.\r\n"
            + "Caf\u{E9} owners said costs of coffee and milk were rising faster than their prices.\r\n"
            + "Read more: Bank of England holds rates\r\n"
            + "Prices | wages | rents all went up again across most of the regions of the country.",
        "\u{A0}Ankara, \u{130}HA - \u{130}stanbul B\u{FC}y\u{FC}k\u{15F}ehir Belediyesi yeni metro hatt\u{131}n\u{131} a\u{E7}t\u{131}.\n"
            + "Stra\u{DF}e GROSS \u{FB01}ne \u{FF11}\u{FF12}\u{FF13} e\u{301}te\u{301} \u{1F600} \u{6771}\u{4EAC} words here\n"
            + "plain ascii line after three content lines with enough words in it\n"
            + "another plain ascii line, with punctuation; and 2025 numbers (in parentheses)\n"
            + "(a parenthesized credit line)\n"
            + "ascii line that ends in a non-ascii word caf\u{E9}\n"
            + "short\n"
            + "   indented ascii line with trailing blanks   \t\n"
            + "zero\u{200B}width and soft\u{AD}hyphen inside words on this line",
        String(repeating: "kata ulang ", count: 200),
        String(repeating: "Paragraf berita yang sama diulang beberapa kali di sini.\n", count: 40),
    ]

    static let settings: [DedupSettings] = {
        var bench = DedupSettings()
        bench.shingleSize = 5
        var odd = DedupSettings()
        odd.shingleSize = 1
        odd.minLineWords = 1
        odd.leadShingles = 7
        odd.leadKeyWindow = 3
        var zero = DedupSettings()
        zero.minLineWords = 0
        zero.shingleSize = 16
        return [DedupSettings(), bench, odd, zero]
    }()

    /// The general path: normalize, then fingerprint from the word hashes.
    func general(_ dedup: Deduplicator, _ doc: DedupDocument, _ model: BoilerplateModel?) -> Fingerprint {
        dedup.fingerprint(tokens: dedup.normalizer.normalize(doc.text, boilerplate: model).tokens, title: doc.title)
    }

    @Test(arguments: 0..<4)
    func singlePassMatchesGeneralPath(settingsIndex: Int) {
        let settings = Self.settings[settingsIndex]
        let dedup = Deduplicator(settings: settings)
        for text in Self.texts {
            let lines = dedup.normalizer.normalize(text).lineHashes
            var seen = Set<UInt64>()
            let distinctLines = lines.filter { seen.insert($0).inserted }
            #expect(dedup.lineHashes(of: text) == distinctLines)
            // Without a model, with one that knows every line, and with one that knows every other line.
            let models: [BoilerplateModel?] = [
                nil,
                BoilerplateModel(lineCounts: Dictionary(lines.map { ($0, 10) }, uniquingKeysWith: max), itemCount: 10),
                BoilerplateModel(
                    lineCounts: Dictionary(
                        lines.enumerated().filter { $0.offset % 2 == 0 }.map { ($0.element, 10) },
                        uniquingKeysWith: max),
                    itemCount: 10),
            ]
            for model in models {
                let doc = DedupDocument(feed: "f", title: String(text.prefix(80)), text: text)
                let expected = general(dedup, doc, model)
                #expect(dedup.fingerprint(doc, boilerplate: model) == expected)
                let both = dedup.fingerprintAndLineHashes(doc, boilerplate: model)
                #expect(both.fingerprint == expected)
                #expect(both.lineHashes == distinctLines)
            }
        }
    }

    @Test func asciiAndNonASCIILinesGiveTheSameWordsAsTheGeneralTokenizer() {
        let dedup = Deduplicator(settings: Self.settings[2])
        for line in [
            "Presiden Rusia bertemu dengan Presiden Amerika", "Pr\u{E9}sid\u{E9}n Rusi\u{E1} bertemu dengan",
            "x|y|z pipes as separators here", "carriage\rreturn inside", "TAB\tseparated\twords here",
        ] {
            var pass = TextPass(settings: Self.settings[2], bytes: line.utf8.count, shingling: true)
            defer { pass.deallocate() }
            pass.scan(line, boilerplate: nil)
            #expect(Array(pass.tokens) == dedup.normalizer.normalize(line).tokens)
            #expect(pass.textHash == general(dedup, DedupDocument(feed: "f", title: "", text: line), nil).textHash)
        }
    }

    @Test func rawWordsHashLikeHashingBytes() {
        let classes = TextPass.classes
        let texts = [
            "", "a", " a ", "Hello, World 42!", String(repeating: "ab cd ", count: 40),
            "x" + String(repeating: "y", count: 100),
        ]
        for text in texts {
            var bytes = Array(text.utf8)
            bytes.append(0)
            let expected = text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
                .map { Hashing.bytes($0.lowercased().utf8) }
            var out = [UInt64](repeating: 0, count: bytes.count + 2)
            let n = bytes.withUnsafeBufferPointer { b in
                classes.withUnsafeBufferPointer { c in
                    out.withUnsafeMutableBufferPointer { o -> Int in
                        guard let b = b.baseAddress, let c = c.baseAddress, let o = o.baseAddress else { return -1 }
                        return TextPass.rawWords(b, 0, text.utf8.count, c, o)
                    }
                }
            }
            #expect(out.prefix(n).map { Hashing.mix($0) } == expected)
        }
    }

    @Test func lineFlagsMatchAByteScan() {
        var rng = SeededGenerator(seed: 5)
        let alphabet: [UInt8] = [0x61, 0x20, 0x7C, 0x0D, 0xC3, 0xA9, 0x2D, 0x7B, 0x7D, 0x0C, 0x01, 0xFF]
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in
                rng.next() % 4 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 0x61
            }
            let padded = bytes + [0x61]
            let flags = padded.withUnsafeBufferPointer { b in
                b.baseAddress.map { TextPass.lineFlags($0, 0, bytes.count) } ?? (high: true, pipe: true, cr: true)
            }
            #expect(flags.high == bytes.contains { $0 >= 0x80 })
            #expect(flags.pipe == bytes.contains(0x7C))
            #expect(flags.cr == bytes.contains(0x0D))
        }
    }

    @Test func asciiDatelineCheckMatchesTheCharacterVersion() {
        let prefixes = [
            "JAKARTA, KOMPAS.com", "LONDON (Reuters)", "Malang, CNN Indonesia", "Kata kata kata", "123, 456",
            "A\tTAB, INSIDE", "\"JAKARTA\" (\"ANTARA\")", "PARIS", "Paris", "(AP)", "Tribunnews.com", "abc, DEF",
            "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN FIFTEEN, X",
            "((", "\"\"", "AB, C", "X.COM", "  SPACED  , OUT  ", "Laporan Wartawan Tribunnews.com, Ibriza TRIBUNNEWS.COM, JAKARTA",
        ]
        for prefix in prefixes {
            var s = prefix
            let fast = s.withUTF8 { Bytes.looksLikeDateline($0, 0, $0.count) }
            #expect(fast == TextNormalizer.looksLikeDateline(Substring(prefix)), "\(prefix)")
        }
    }

    @Test func titleRangeMatchesCleanTitle() {
        let titles = [
            "", "Short", "BREAKING NEWS: Something happened in the city today",
            "Presiden meresmikan jalan tol baru - Tribunnews.com", "Headline with | bar | Kompas",
            "Headline here \u{2013} The Site Name", "Headline here \u{2014} Another Site", "UPDATE: a - b - c d e f",
            "Judul: huruf kecil di label", "Long headline with a dash - but then many more words after it here",
            "ÉTÉ: accented label", "x - y", "0123456789 - ab", "0123456789a - ab", "Twelve chars - Site Name Here Four",
            "A \u{2014} B \u{2013} C | D - E", "  - leading separator text text text - Site",
        ]
        for title in titles {
            var t = title
            let range = t.withUTF8 { Deduplicator.cleanTitleRange($0) }
            let cleaned = String(decoding: Array(title.utf8)[range], as: UTF8.self)
            #expect(cleaned == Deduplicator.cleanTitle(title), "\(title)")
        }
    }

    /// The plain definitions the fast versions replace.
    static func naiveWinnow(_ values: [UInt64], window: Int) -> [UInt32] {
        let v = values.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        guard let smallest = v.min() else { return [] }
        let w = max(1, window)
        guard v.count > w else { return [smallest] }
        var out: [UInt32] = []
        var last = -1
        for start in 0...(v.count - w) {
            var best = start + w - 1
            for i in stride(from: start + w - 2, through: start, by: -1) where v[i] < v[best] { best = i }
            if best != last {
                last = best
                if !out.contains(v[best]) { out.append(v[best]) }
            }
        }
        return out
    }

    @Test func winnowSortAndDistinctMatchTheirDefinitions() {
        var rng = SeededGenerator(seed: 11)
        for round in 0..<600 {
            let count = Int(rng.next() % 300)
            // Few distinct values (many ties) in some rounds, full-range hashes in others.
            let spread: UInt64 = round % 3 == 0 ? 4 : (round % 3 == 1 ? 1000 : UInt64.max)
            let values = (0..<count).map { _ -> UInt64 in
                let v = spread == UInt64.max ? rng.next() : rng.next() % spread
                return spread == UInt64.max ? v : (v << 32) | (rng.next() % 3)
            }
            let window = 1 + Int(rng.next() % 20)
            #expect(Shingles.winnow(values[...], window: window) == Self.naiveWinnow(values, window: window))
            let sorted = Array(Set(values.map { UInt32(truncatingIfNeeded: $0 >> 32) })).sorted()
            #expect(Shingles.sortedDistinct32(values[...]) == sorted)
            let keys = Set(values.map { $0 == 0 ? 1 : $0 })
            #expect(Shingles.distinctCount(values) == keys.count)
        }
    }
}
