import Testing

@testable import Dedup

@Suite struct NormalizationTests {
    let normalizer = TextNormalizer(minLineWords: 1)

    func words(_ text: String) -> [String] {
        normalizer.words(text, verbose: true).words
    }

    @Test func foldsCaseDiacriticsAndCompatibilityForms() {
        #expect(words("Café DÉJÀ Vu ＡＢＣ ﬁne") == ["cafe", "deja", "vu", "abc", "fine"])
        #expect(words("Crème brûlée") == words("CREME BRULEE"))
    }

    @Test func dropsPunctuationAndKeepsNumbers() {
        #expect(
            words("Jumat (8/8/2025), Rp 2,3 triliun—\"adil dan setara.\"") == [
                "jumat", "8", "8", "2025", "rp", "2", "3", "triliun", "adil", "dan", "setara",
            ])
    }

    @Test func hashesEqualWordsEquallyAcrossFastAndUnicodePaths() {
        let ascii = normalizer.words("Presiden Rusia").tokens
        let unicode = normalizer.words("Présidén Rusiá").tokens
        #expect(ascii == unicode)
    }

    @Test(arguments: [
        ("SERAMBINEWS.COM, BANDA ACEH - Presiden Rusia bertemu hari ini", "Presiden Rusia bertemu hari ini"),
        ("TRIBUNNEWS.COM - Presiden Rusia bertemu hari ini", "Presiden Rusia bertemu hari ini"),
        ("JAKARTA, KOMPAS.com - Presiden Rusia bertemu hari ini", "Presiden Rusia bertemu hari ini"),
        ("Malang (ANTARA) - Presiden Rusia bertemu hari ini", "Presiden Rusia bertemu hari ini"),
        ("Malang, CNN Indonesia -- Presiden Rusia bertemu hari ini", "Presiden Rusia bertemu hari ini"),
        ("LONDON (Reuters) - The president met on Tuesday", "The president met on Tuesday"),
        ("WASHINGTON (AP) — The president met on Tuesday", "The president met on Tuesday"),
        (
            "Laporan Wartawan Tribunnews.com, Wahyu Husna TRIBUNNEWS.COM, JAKARTA - Tak cuma Liverpool",
            "Tak cuma Liverpool"
        ),
    ])
    func stripsDatelines(line: String, expected: String) {
        #expect(TextNormalizer.strippingDateline(Substring(line)).map(String.init) == expected)
    }

    @Test(arguments: [
        "Presiden AS - Donald Trump mengatakan bahwa tarif akan naik",
        "The minister said the well-known plan - if passed - would cut taxes",
        "Komisi VII DPR RI menargetkan revisi rampung - kata dia",
    ])
    func leavesOrdinarySentencesWithDashesAlone(line: String) {
        #expect(TextNormalizer.strippingDateline(Substring(line)) == nil)
    }

    @Test(arguments: [
        "Baca juga: Serangan Drone Ukraina Hantam Kilang Minyak Krasnodar Rusia",
        "BACA JUGA: KPK Ada 6 Subkontraktor Terima Keuntungan",
        "Penulis: Agus Ramadhan | Editor: Muhammad Hadi",
        "(Serambinews.com/Agus Ramadhan)",
        "Baca dan Ikuti Berita Serambinews.com di GOOGLE NEWS",
        "Artikel ini telah tayang di Tribunnews.com dengan judul Putin Telepon Xi",
        "Read more: Markets fall as oil prices rise",
        "Related: Police name suspect in city attack",
        "© 2025 TRIBUNnews.com Network, a subsidiary of KG Media.",
        "Reporting by Jane Doe; Editing by John Smith",
    ])
    func removesKnownBoilerplateLines(line: String) {
        #expect(TextNormalizer.isPatternBoilerplate(Substring(line)))
    }

    @Test func keepsOrdinaryContentLines() {
        let line = "Presiden Rusia Vladimir Putin baru saja melakukan panggilan telepon dengan Presiden Cina."
        #expect(!TextNormalizer.isPatternBoilerplate(Substring(line)))
    }

    @Test func normalizesIndonesianArticleWithoutItsBoilerplate() {
        let text = """
            Penulis: Agus Ramadhan | Editor: Muhammad Hadi
            SERAMBINEWS.COM, BANDA ACEH - Gubernur Aceh meresmikan jembatan baru di kawasan pesisir.
            Baca juga: Banjir Rendam Tiga Desa di Aceh Utara
            Jembatan itu menghubungkan dua kecamatan yang selama ini terpisah oleh sungai.
            (Serambinews.com/Agus Ramadhan)
            Berita Terkini
            """
        let copy = """
            TRIBUNNEWS.COM - Gubernur Aceh meresmikan jembatan baru di kawasan pesisir.
            Baca Juga: Harga Cabai Naik Menjelang Akhir Pekan
            Jembatan itu menghubungkan dua kecamatan yang selama ini terpisah oleh sungai.
            Baca dan Ikuti Berita Tribunnews.com di GOOGLE NEWS
            """
        let n = TextNormalizer(minLineWords: 4)
        #expect(n.normalize(text).tokens == n.normalize(copy).tokens)
        #expect(n.normalize(text).tokens.count == 19)
    }

    @Test func normalizesEnglishArticleWithoutItsBoilerplate() {
        let text = """
            LONDON (Reuters) - The Bank of England held interest rates on Thursday.
            Read more: Pound slips against the dollar
            Policymakers voted seven to two to keep the rate at 5.25%.
            Reporting by Jane Doe; Editing by John Smith
            """
        let copy = """
            The Bank of England held interest rates on Thursday.
            Related: Markets rally in Asia
            Policymakers voted seven to two to keep the rate at 5.25%.
            """
        let n = TextNormalizer(minLineWords: 4)
        #expect(n.normalize(text).tokens == n.normalize(copy).tokens)
    }

    @Test func learnsFeedBoilerplateFromRepeatedLines() throws {
        let footer = "Sign in to get our morning briefing delivered to your inbox every day"
        var texts: [String] = []
        for i in 0..<10 {
            texts.append(syntheticArticle(seed: UInt64(i), sentences: 5).joined(separator: "\n") + "\n" + footer)
        }
        let model = BoilerplateModel(texts: texts)
        let n = TextNormalizer(minLineWords: 4)
        let footerHash = try #require(n.normalize(footer).lineHashes.first)
        #expect(model.isBoilerplate(footerHash))
        let withModel = n.normalize(texts[0], boilerplate: model)
        let withoutFooter = n.normalize(syntheticArticle(seed: 0, sentences: 5).joined(separator: "\n"))
        #expect(withModel.tokens == withoutFooter.tokens)
        let contentHash = try #require(withoutFooter.lineHashes.first)
        #expect(!model.isBoilerplate(contentHash))
    }
}
