import Dedup
import Feeds
import Foundation

/// `bench-dedup verify [--items N] [--fuzz N] [--corpus DIR]`: checks that `Deduplicator`'s one-pass
/// fingerprints and line hashes are bit-identical to its general path (`generalFingerprintAndLineHashes`:
/// the normalization rules as written, which the stored fingerprints were made with), on generated news
/// items, on fuzzed texts full of tricky Unicode, and on every item text of the dev corpus (parsed with the
/// real feed parser). Exits 1 on any mismatch.
enum Verify {
    /// The general path, with the calls `Verify` makes.
    struct GeneralPath {
        let dedup: Deduplicator
        init(settings: DedupSettings) { dedup = Deduplicator(settings: settings) }
        func fingerprint(_ doc: DedupDocument, boilerplate: BoilerplateModel?) -> Fingerprint {
            dedup.generalFingerprintAndLineHashes(doc, boilerplate: boilerplate).fingerprint
        }
        func lineHashes(of text: String) -> [UInt64] {
            dedup.generalFingerprintAndLineHashes(DedupDocument(feed: "", title: "", text: text), boilerplate: nil)
                .lineHashes
        }
    }

    struct Tally {
        var checked = 0
        var mismatches = 0
        var shown = 0
        /// CPU seconds in the new and the reference `fingerprint` calls.
        var newSeconds = 0.0
        var oldSeconds = 0.0

        mutating func compare(
            _ what: String, doc: DedupDocument, boilerplate: BoilerplateModel?, settings: DedupSettings,
            new: Deduplicator, old: GeneralPath
        ) {
            checked += 1
            let t0 = cpuSeconds()
            let a = new.fingerprint(doc, boilerplate: boilerplate)
            let t1 = cpuSeconds()
            let b = old.fingerprint(doc, boilerplate: boilerplate)
            newSeconds += t1 - t0
            oldSeconds += cpuSeconds() - t1
            let la = new.lineHashes(of: doc.text)
            let lb = old.lineHashes(of: doc.text)
            let both = new.fingerprintAndLineHashes(doc, boilerplate: boilerplate)
            guard a != b || la != lb || both.fingerprint != b || both.lineHashes != lb else { return }
            mismatches += 1
            guard shown < 5 else { return }
            shown += 1
            var fields: [String] = []
            if a != b { fields.append("fingerprint") }
            if la != lb { fields.append("lineHashes") }
            if both.fingerprint != b { fields.append("combined fingerprint") }
            if both.lineHashes != lb { fields.append("combined lineHashes") }
            emit("MISMATCH (\(what), \(fields.joined(separator: ", "))): title \(String(reflecting: doc.title))")
            emit("  text: \(String(reflecting: String(doc.text.prefix(600))))")
            if a.wordCount != b.wordCount || a.textHash != b.textHash {
                emit("  words \(a.wordCount) vs \(b.wordCount)")
            }
        }
    }

    static func run(_ args: [String]) throws {
        var items = 100_000
        var fuzz = 20_000
        var corpus = "../shared/dev-corpus"
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--items": i += 1; items = Int(args[i]) ?? items
            case "--fuzz": i += 1; fuzz = Int(args[i]) ?? fuzz
            case "--corpus": i += 1; corpus = args[i]
            default: throw BenchError("unknown option \(args[i])")
            }
            i += 1
        }
        var total = Tally()
        let t0 = cpuSeconds()

        // Settings: the defaults, the benchmark's, and some unusual ones (short lines, short shingles).
        var bench = DedupSettings()
        bench.shingleSize = 5
        var odd = DedupSettings()
        odd.shingleSize = 2
        odd.minLineWords = 1
        odd.leadShingles = 10
        odd.leadKeyWindow = 3
        odd.titleKeyWords = 1
        odd.permutations = 64
        var wide = DedupSettings()
        wide.shingleSize = 9
        wide.minLineWords = 8
        wide.leadShingles = 0
        let variants = [DedupSettings(), bench, odd, wide].map {
            (settings: $0, new: Deduplicator(settings: $0), old: GeneralPath(settings: $0))
        }

        // 1. Generated news items, in feeds of 40; every fourth feed batch also with a learned model that
        //    marks some of the batch's real lines (top lines included) as boilerplate.
        var generator = NewsGenerator(seed: 4242)
        var rng = SplitMix(state: 77)
        var done = 0
        var batchTally = Tally()
        while done < items {
            let n = min(40, items - done)
            var batch: [NewsGenerator.Item] = []
            for _ in 0..<n { batch.append(generator.next()) }
            let v = variants[(done / 40) % 8 == 0 ? Int(rng.next() % 4) : 0]
            var counts: [UInt64: Int] = [:]
            for item in batch {
                for h in v.old.lineHashes(of: item.text) where rng.next() % 5 == 0 { counts[h] = n }
            }
            let model = BoilerplateModel(lineCounts: counts, itemCount: n, settings: v.settings)
            for (k, item) in batch.enumerated() {
                var title = item.title
                switch rng.next() % 6 {
                case 0: title += " - Tribunnews.com"
                case 1: title = "UPDATE: " + title + " | Kompas"
                default: break
                }
                let doc = DedupDocument(feed: "f", title: title, text: item.text)
                batchTally.compare("generated", doc: doc, boilerplate: nil, settings: v.settings, new: v.new, old: v.old)
                if (done / 40) % 4 == 0 || k % 5 == 0 {
                    batchTally.compare(
                        "generated+learned", doc: doc, boilerplate: model, settings: v.settings, new: v.new,
                        old: v.old)
                }
            }
            done += n
        }
        emit("generated items: \(items), comparisons \(batchTally.checked), mismatches \(batchTally.mismatches)")
        total.checked += batchTally.checked
        total.mismatches += batchTally.mismatches

        // 2. Fixed tricky inputs, each also under every settings variant.
        var fixed = Tally()
        for text in trickyTexts {
            for v in variants {
                let doc = DedupDocument(feed: "f", title: text, text: text)
                fixed.compare("tricky", doc: doc, boilerplate: nil, settings: v.settings, new: v.new, old: v.old)
                let model = BoilerplateModel(
                    lineCounts: Dictionary(v.old.lineHashes(of: text).map { ($0, 10) }, uniquingKeysWith: max),
                    itemCount: 10, settings: v.settings)
                fixed.compare("tricky+learned", doc: doc, boilerplate: model, settings: v.settings, new: v.new, old: v.old)
            }
        }
        emit("tricky texts: \(trickyTexts.count), comparisons \(fixed.checked), mismatches \(fixed.mismatches)")
        total.checked += fixed.checked
        total.mismatches += fixed.mismatches

        // 3. Fuzz: random lines mixing ASCII words, datelines, boilerplate starts and tricky fragments.
        var fuzzTally = Tally()
        for f in 0..<fuzz {
            let text = fuzzText(&rng)
            let title = fuzzText(&rng, lines: 1)
            let v = variants[f % variants.count]
            let doc = DedupDocument(feed: "f", title: title, text: text)
            fuzzTally.compare("fuzz", doc: doc, boilerplate: nil, settings: v.settings, new: v.new, old: v.old)
            if f % 3 == 0 {
                var counts: [UInt64: Int] = [:]
                for h in v.old.lineHashes(of: text) where rng.next() % 3 == 0 { counts[h] = 10 }
                let model = BoilerplateModel(lineCounts: counts, itemCount: 10, settings: v.settings)
                fuzzTally.compare(
                    "fuzz+learned", doc: doc, boilerplate: model, settings: v.settings, new: v.new, old: v.old)
            }
        }
        emit("fuzzed texts: \(fuzz), comparisons \(fuzzTally.checked), mismatches \(fuzzTally.mismatches)")
        total.checked += fuzzTally.checked
        total.mismatches += fuzzTally.mismatches

        // 4. The dev corpus: every feed parsed by the real parser; each item's dedup text (as the fetch
        //    pipeline builds it), its summary and its raw content, with and without the feed's learned model.
        var corpusTally = Tally()
        var corpusItems = 0
        let listURL = URL(fileURLWithPath: corpus).appendingPathComponent("feeds.json")
        if let data = try? Data(contentsOf: listURL),
            let feeds = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        {
            for feed in feeds {
                guard let file = feed["file"] as? String else { continue }
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: corpus).appendingPathComponent(file)))
                let parsed = try FeedParser.parse(bytes, url: "https://example.com/")
                let items = parsed.feed.items
                corpusItems += items.count
                let texts = items.map { item -> String in
                    if let content = item.content, !content.isEmpty {
                        return HTMLText.paragraphs(fromHTML: content).joined(separator: "\n")
                    }
                    return item.summary ?? ""
                }
                for v in variants {
                    var counts: [UInt64: Int] = [:]
                    for text in texts { for h in v.old.lineHashes(of: text) { counts[h, default: 0] += 1 } }
                    let model = BoilerplateModel(lineCounts: counts, itemCount: texts.count, settings: v.settings)
                    for (item, text) in zip(items, texts) {
                        let title = item.title ?? ""
                        for body in [text, item.summary ?? "", item.content ?? ""] {
                            let doc = DedupDocument(feed: "f", title: title, text: body)
                            corpusTally.compare(
                                "corpus", doc: doc, boilerplate: nil, settings: v.settings, new: v.new, old: v.old)
                            corpusTally.compare(
                                "corpus+learned", doc: doc, boilerplate: model, settings: v.settings, new: v.new,
                                old: v.old)
                        }
                    }
                }
            }
            emit(
                "dev corpus: \(feeds.count) feeds, \(corpusItems) items, comparisons \(corpusTally.checked), mismatches \(corpusTally.mismatches)"
            )
            emit(
                String(
                    format: "    dev corpus fingerprint CPU: %.3f s new, %.3f s reference", corpusTally.newSeconds,
                    corpusTally.oldSeconds))
        } else {
            emit("dev corpus: not found at \(corpus) (pass --corpus DIR)")
        }
        total.checked += corpusTally.checked
        total.mismatches += corpusTally.mismatches

        emit(
            String(
                format: "verify: %d comparisons, %d mismatches (%.1f s CPU)", total.checked, total.mismatches,
                cpuSeconds() - t0))
        if total.mismatches > 0 { exit(1) }
    }

    /// Inputs that exercise normalization edge cases: scripts, case folding, compatibility forms,
    /// invisible characters, line endings, datelines and boilerplate shapes.
    static let trickyTexts: [String] = [
        "",
        " ",
        "\n\n\r\n",
        "one",
        "one two three",
        "one two three four",
        "one two three four five six seven eight nine ten eleven",
        "Jakarta, Kompas.com - Presiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada hari Senin.",
        "İstanbul'da İSTANBUL ıslak ılık Iğdır DİYARBAKIR şehrinde yağmur yağdı ve hava çok soğuk oldu bugün.",
        "Die Straße in Gießen ist groß; STRASSE GROSS Maß und Fuß sind alte Wörter für die Länge.",
        "ﬁnancial ﬂights ﬀ ﬃ ﬄ Œuvre æther Ærø ĳssel ǅemal ǈubljana ǋ ſtreet",
        "Harga naik １２３ persen menjadi Rp４５ ribu, ＡＢＣ ｆｕｌｌｗｉｄｔｈ ﾊﾝｶｸ ｶﾀｶﾅ ①②③ ²³ ½ Ⅻ",
        "Cafe\u{301} de\u{301}ja\u{300} vu\u{308} n\u{303}o e\u{301}\u{327} a\u{20DD} Zalgo t\u{336}e\u{337}x\u{338}t here",
        "Crème brûlée, Ångström, Øresund, Łódź, Dvořák, Škoda, Ñandú, São Paulo, Đà Nẵng",
        "Emoji 😀 news 👍🏽 family 👨‍👩‍👧‍👦 flags 🇮🇩🇹🇷 keycap 1️⃣ text ❤️ heart ☕ coffee today",
        "東京で地震が発生しました 北京 서울 특별시 뉴스 ภาษาไทย ข่าว 中文新闻报道 日本語",
        "مرحبا بالعالم الأخبار اليوم ١٢٣ שלום עולם חדשות היום \u{200F}rtl\u{200E} mixed English words here",
        "zero\u{200B}width\u{200C}non\u{200D}joiner\u{2060}word\u{FEFF}bom and more words to make a line",
        "no\u{00A0}break\u{00A0}space\u{00A0}between\u{00A0}these\u{00A0}words\u{00A0}here",
        "\u{00A0}\u{00A0}leading and trailing nbsp with four words\u{00A0}",
        "soft\u{00AD}hyphen in\u{00AD}side words like news\u{00AD}paper and Zei\u{00AD}tung",
        "line one has some words\r\nline two has some words\rline three has some words\n\rline four words",
        "JAKARTA, KOMPAS.com \u{2014} Pemerintah menetapkan harga baru untuk bahan bakar minyak mulai pekan depan.",
        "LONDON (Reuters) \u{2013} British inflation rose unexpectedly last month, official data showed on Wednesday.",
        "Malang, CNN Indonesia -- Polisi menangkap dua orang tersangka kasus pencurian kendaraan bermotor.",
        "Ankara, İHA - İstanbul Büyükşehir Belediyesi yeni metro hattını bugün açtı ve çok kişi geldi.",
        "Laporan Wartawan Tribunnews.com, Ibriza Fasti Ifhami TRIBUNNEWS.COM, JAKARTA - Komisi Pemberantasan Korupsi (KPK) memeriksa saksi baru hari ini.",
        "Baca juga: Presiden Prabowo Bertemu PM Jepang\nBaca dan Ikuti Berita Serambinews.com di GOOGLE NEWS",
        "BACA JUGA: huruf besar semua\n(Serambinews.com/Agus Ramadhan)\n(Foto: ANTARA/Yulius)",
        "Editor: Hasanudin Aco | Penulis: Budi\nPenulis : Someone Else\n© 2025 Copyright All Rights Reserved",
        "Artikel ini telah tayang di Kompas.com dengan judul \"Harga Beras Naik\", klik untuk baca: https://x.y/z",
        "Ｂａｃａ ｊｕｇａ: fullwidth boilerplate line with enough words here",
        "ÇAĞLAR ÖZTÜRK (AA) - Türkiye'nin başkenti Ankara'da bugün önemli bir toplantı yapıldı ve kararlar alındı.",
        "ÉDITION SPÉCIALE, PARIS - Le président français a annoncé de nouvelles mesures économiques aujourd'hui.",
        "\"JAKARTA\" (\"ANTARA\") - kutipan dateline dengan tanda kutip ganda dan beberapa kata lainnya",
        "123, 456 - angka saja sebagai dateline lalu kalimat yang cukup panjang untuk dihitung sebagai isi",
        "A\tTAB, INSIDE - dateline with a tab inside the prefix and then a lot of words after it",
        "Kata kata kata - kata kata kata kata kata kata kata kata kata kata kata kata kata kata kata kata",
        "ＴＯＫＹＯ, ＮＨＫ - fullwidth dateline followed by enough words to stay a content line",
        "Ǆ ǅ ǆ DŽ title case digraphs and Σίσυφος ΟΔΥΣΣΕΥΣ final sigma ς Σ σ words",
        "ⓐⓑⓒ circled ㊀ ㈱ ㍻ ℃ ℉ № ™ ℡ squared ㎏ ㎞ compatibility symbols in a line",
        "dash–en—em―bar‐hyphen‑nb‒fig−minus ‘single’ “double” «guillemets» „low“ …ellipsis • bullet",
        "\u{0000}nul\u{0001}ctl\u{007F}del\u{0085}nel\u{2028}ls\u{2029}ps words between control characters",
        "x\u{0301}\u{0301}\u{0301} Ⅷ ⅷ ǰ ΐ ﬅ ﬆ ᾈ ᾀ ῼ special casing expansions in lowercase mapping",
        "Ιταλία ΑΘΗΝΑ (ΑΠΕ) - Ελληνικά νέα με τόνους άέήίόύώ και διαλυτικά ϊϋ σήμερα",
        "МОСКВА, ТАСС - Новости на русском языке с буквой Ё и ё и Й й сегодня",
        "हिन्दी समाचार आज नई दिल्ली में बैठक हुई और निर्णय लिया गया",
        "Presiden meresmikan jalan tol baru di Jawa Tengah \u{2013} Kompas.com",
        "Presiden meresmikan jalan tol baru di Jawa Tengah \u{2014} Situs Berita",
        "BREAKING NEWS: Harga beras naik lagi | Tribunnews",
        "ÉTÉ: label with accents - Site Name",
        "0123456789 - ab",
        "0123456789a - ab c d e",
        String(repeating: "a", count: 500) + " " + String(repeating: "B", count: 300) + " long words",
        String(repeating: "kata ", count: 400),
        String(repeating: "Paragraf berita yang panjang dengan banyak kata.\n", count: 60),
    ]

    static let fragments: [String] = [
        "the", "Berita", "PRESIDEN", "jakarta", "2025", "Rp", "3,5", "8/8", "(ANTARA)", "TRIBUNNEWS.COM,",
        "Kompas.com", "-", "--", "\u{2013}", "\u{2014}", ":", "|", "(", ")", "\"", "'", ",", ".", "...",
        "İstanbul", "ıslak", "Straße", "GROSS", "ﬁne", "１２３", "Ｊａｋａｒｔａ", "e\u{301}", "\u{301}", "😀", "👨‍👩‍👧",
        "東京", "中文", "서울", "مرحبا", "שלום", "\u{200B}", "\u{200D}", "\u{00A0}", "\u{00AD}", "\u{FEFF}",
        "café", "Ñandú", "Œuvre", "ǅ", "Σ", "ς", "Ё", "ß", "ẞ", "½", "²", "Ⅻ", "\t", "baca", "juga", "Baca juga:",
        "Penulis:", "Editor", "editor:", "penulis", "©", "(c)", "Read more", "Laporan Wartawan", "Foto:",
        "LONDON", "(Reuters)", "CNN", "Indonesia", "A", "I", "X1", "COM", ".com", ".COM", "\u{2028}",
    ]

    /// A random multi-line text from words and `fragments`, with varied separators and line endings.
    static func fuzzText(_ rng: inout SplitMix, lines: Int? = nil) -> String {
        let lineCount = lines ?? (1 + Int(rng.next() % 8))
        var out = ""
        for l in 0..<lineCount {
            if l > 0 { out += ["\n", "\r\n", "\r", "\n\n", "\n \n"][Int(rng.next() % 5)] }
            if rng.next() % 4 == 0 {
                // A dateline or boilerplate start.
                out += [
                    "JAKARTA, KOMPAS.com - ", "LONDON (Reuters) - ", "Malang, CNN Indonesia -- ", "Baca juga: ",
                    "(Foto: ", "Editor: Budi | ", "İSTANBUL, AA \u{2014} ", "BANDA ACEH, SERAMBINEWS.COM \u{2013} ",
                    "Laporan Wartawan Tribunnews.com, Ibriza TRIBUNNEWS.COM, JAKARTA - ", "\u{00A0} ",
                ][Int(rng.next() % 10)]
            }
            let words = Int(rng.next() % 24)
            for w in 0..<words {
                if w > 0 { out += [" ", " ", " ", "  ", "\u{00A0}", "\t", ", ", " - "][Int(rng.next() % 8)] }
                switch rng.next() % 4 {
                case 0, 1:
                    let n = 1 + Int(rng.next() % 9)
                    var s = ""
                    for _ in 0..<n {
                        let r = rng.next() % 40
                        if r < 26 { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x61 + r))) }
                        else if r < 32 { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x41 + r - 26))) }
                        else { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x30 + r - 32))) }
                    }
                    out += s
                default:
                    out += fragments[Int(rng.next() % UInt64(fragments.count))]
                }
            }
        }
        return out
    }
}
