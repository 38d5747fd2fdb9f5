import Dedup
import Feeds
import Foundation
import Store

@testable import AggregatorKit

/// A real database filled through the real ingest path (fingerprints, band keys, clusters, search triggers).
struct UpkeepDatabase {
    let path: String
    let store: Store
    let deduplicator = Deduplicator()
    var feedIDs: [String: Int64] = [:]

    init(feeds: [String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upkeep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("test.sqlite").path
        store = try Store(path: path)
        let records = try store.syncFeeds(feeds.map { ($0, "https://\($0).example/rss", nil) })
        for (name, record) in records { feedIDs[name] = record.id }
    }

    /// Stores `items` for `feed` as one fetch at `storedAt` (the items' first-stored time).
    @discardableResult
    func ingest(_ feed: String, _ items: [Item], storedAt: Date = Date()) throws -> IngestSummary {
        let prepared = items.map { FetchRun.prepare($0, feed: feed, boilerplate: nil, deduplicator: deduplicator) }
        return try store.commitFetch(
            feedID: feedIDs[feed] ?? -1, feedName: feed,
            update: FetchStateUpdate(attemptedAt: storedAt, succeeded: true),
            items: prepared, deduplicator: deduplicator, windowDays: 3)
    }

    func count(_ sql: String) throws -> Int64 { try store.db.scalarInt(sql) ?? -1 }
}

/// Hand-written stories (not real articles).
enum UpkeepStories {
    static let flood = [
        "Banjir merendam sedikitnya 12 desa di tiga kecamatan di Kabupaten Aceh Utara setelah hujan deras mengguyur kawasan itu sejak Kamis malam.",
        "Kepala Pelaksana Badan Penanggulangan Bencana Daerah setempat mengatakan air mulai masuk ke permukiman warga sekitar pukul 02.00 WIB dan terus naik hingga pagi.",
        "Ketinggian air di sejumlah titik mencapai satu meter sehingga ribuan warga terpaksa mengungsi ke meunasah dan gedung sekolah terdekat.",
        "Petugas gabungan dari TNI, Polri dan relawan mengevakuasi warga lanjut usia serta anak-anak menggunakan perahu karet sejak subuh.",
        "Selain merendam rumah, banjir juga menggenangi ratusan hektare sawah yang baru saja ditanami padi oleh petani setempat.",
        "Jalan nasional yang menghubungkan Lhokseumawe dengan Banda Aceh sempat lumpuh selama beberapa jam karena tergenang air.",
    ].joined(separator: " ")

    static let market = [
        "Harga cabai merah di Pasar Inpres Lhokseumawe naik dua kali lipat dalam sepekan terakhir menjadi Rp 80 ribu per kilogram.",
        "Pedagang menyebut pasokan dari sentra produksi di Bener Meriah berkurang karena cuaca buruk yang merusak tanaman.",
        "Dinas perdagangan berjanji menggelar operasi pasar pekan depan untuk menahan kenaikan harga yang membebani rumah tangga.",
        "Sebagian warga memilih mengurangi belanja cabai dan beralih ke cabai kering yang harganya lebih stabil.",
    ].joined(separator: " ")

    static let football = [
        "Tim nasional Indonesia menang tipis 1-0 atas Vietnam dalam laga uji coba di Stadion Gelora Bung Karno, Jakarta, Selasa malam.",
        "Gol tunggal dicetak pada menit ke-67 melalui sundulan kepala memanfaatkan umpan silang dari sisi kanan.",
        "Pelatih mengatakan hasil ini menjadi modal penting menjelang babak kualifikasi yang dimulai bulan depan.",
        "Ribuan suporter memadati stadion meski hujan sempat turun sebelum pertandingan dimulai.",
    ].joined(separator: " ")

    static func item(_ key: String, _ title: String, _ text: String, published: Date = Date(), html: Bool = false)
        -> Item
    {
        Item(
            id: key, title: title, link: "https://news.example/\(key)",
            summary: html ? nil : text, content: html ? "<p>\(text)</p>" : nil, published: published, key: key)
    }
}
