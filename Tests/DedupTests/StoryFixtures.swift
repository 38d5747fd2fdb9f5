import Foundation

/// Hand-written stories (not real articles) that reproduce how portals syndicate one story.
enum StoryFixtures {
    static let floodBody = [
        "Banjir merendam sedikitnya 12 desa di tiga kecamatan di Kabupaten Aceh Utara setelah hujan deras mengguyur kawasan itu sejak Kamis malam.",
        "Kepala Pelaksana Badan Penanggulangan Bencana Daerah setempat mengatakan air mulai masuk ke permukiman warga sekitar pukul 02.00 WIB dan terus naik hingga pagi.",
        "Ketinggian air di sejumlah titik mencapai satu meter sehingga ribuan warga terpaksa mengungsi ke meunasah dan gedung sekolah terdekat.",
        "Petugas gabungan dari TNI, Polri dan relawan mengevakuasi warga lanjut usia serta anak-anak menggunakan perahu karet sejak subuh.",
        "Selain merendam rumah, banjir juga menggenangi ratusan hektare sawah yang baru saja ditanami padi oleh petani setempat.",
        "Jalan nasional yang menghubungkan Lhokseumawe dengan Banda Aceh sempat lumpuh selama beberapa jam karena tergenang air setinggi lutut orang dewasa.",
        "Pemerintah kabupaten telah mendirikan dapur umum di tiga lokasi pengungsian untuk memenuhi kebutuhan makanan para pengungsi.",
        "Warga berharap pemerintah segera menormalisasi sungai yang dangkal karena banjir serupa hampir setiap tahun melanda desa mereka.",
        "Hingga Jumat sore, hujan masih turun dengan intensitas sedang dan petugas meminta warga tetap waspada terhadap banjir susulan.",
        "Badan Meteorologi memperkirakan cuaca ekstrem masih akan terjadi di pesisir utara Aceh hingga tiga hari ke depan.",
    ]

    static var serambinews: String {
        var lines = [
            "Penulis: Agus Salim | Editor: Nurul Hadi",
            "Warga mengungsi menggunakan perahu karet di Aceh Utara. (SERAMBINEWS.COM/AGUS SALIM)",
            "SERAMBINEWS.COM, LHOKSUKON - " + floodBody[0],
        ]
        lines += floodBody[1...3]
        lines.append("Baca juga: Harga Cabai Merah di Pasar Lhokseumawe Naik Dua Kali Lipat")
        lines += floodBody[4...]
        lines += [
            "(Serambinews.com/Agus Salim)",
            "Baca dan Ikuti Berita Serambinews.com di GOOGLE NEWS",
            "Bergabunglah Bersama Kami di Saluran WhatsApp SERAMBINEWS.COM",
        ]
        return lines.joined(separator: "\n")
    }

    /// The TRIBUNnews copy: other dateline, other related links, a small wording edit, the closing
    /// paragraph dropped, a footer naming the source.
    static var tribunnews: String {
        var body = Array(floodBody.dropLast())
        body[2] = body[2].replacingOccurrences(of: "ribuan warga terpaksa", with: "ribuan warga harus")
        var lines = ["TRIBUNNEWS.COM - " + body[0]]
        lines += body[1...2]
        lines.append("Baca Juga: Timnas Indonesia Menang Tipis atas Vietnam di Laga Uji Coba")
        lines += body[3...]
        lines.append("Artikel ini telah tayang di Serambinews.com dengan judul Banjir Rendam 12 Desa di Aceh Utara")
        return lines.joined(separator: "\n")
    }

    /// A different story of the same day on the same topic (aid for the same flood).
    static var aidStory: String {
        [
            "SERAMBINEWS.COM, BANDA ACEH - Badan Penanggulangan Bencana Aceh menyalurkan bantuan logistik untuk korban banjir di Kabupaten Aceh Utara pada Jumat siang.",
            "Bantuan berupa beras, mi instan, selimut, tikar dan perlengkapan bayi diangkut dengan empat truk dari gudang logistik di Banda Aceh.",
            "Kepala badan tersebut mengatakan bantuan akan dibagikan melalui posko kecamatan agar merata ke seluruh titik pengungsian.",
            "Ia juga meminta pemerintah kabupaten segera melaporkan kebutuhan tambahan, terutama air bersih dan obat-obatan.",
            "Banjir merendam sedikitnya 12 desa di tiga kecamatan di Kabupaten Aceh Utara setelah hujan deras mengguyur kawasan itu sejak Kamis malam.",
            "Gubernur dijadwalkan meninjau lokasi pengungsian pada Sabtu pagi bersama sejumlah kepala dinas.",
            "Baca dan Ikuti Berita Serambinews.com di GOOGLE NEWS",
        ].joined(separator: "\n")
    }

    static let floodTitle = "Banjir Rendam 12 Desa di Aceh Utara, Ribuan Warga Mengungsi"
    static let floodTitleEdited = "BREAKING NEWS: Banjir Rendam 12 Desa di Aceh Utara, Warga Mengungsi ke Meunasah"
    static let aidTitle = "BPBA Salurkan Bantuan Logistik untuk Korban Banjir Aceh Utara"
    static let teaser =
        "Lhokseumawe, CNN Indonesia -- Banjir merendam sedikitnya 12 desa di tiga kecamatan di Kabupaten Aceh Utara setelah hujan deras mengguyur kawasan itu sejak Kamis malam."
}
