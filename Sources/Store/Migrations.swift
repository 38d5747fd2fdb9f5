/// One named, ordered schema step. Steps are applied in order and recorded in `schema_migrations`.
struct Migration {
    let version: Int
    let name: String
    let sql: String
}

/// The application id written into the SQLite header, so another program's database is recognized as such.
let applicationID: Int64 = 0x4147_4752  // "AGGR"

/// Every schema step, oldest first. Never edit a released step: add a new one.
let migrations: [Migration] = [
    Migration(
        version: 1, name: "create feeds, items, clusters",
        sql: """
            CREATE TABLE feeds (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL,
                effective_url TEXT,
                title TEXT,
                site_link TEXT,
                etag TEXT,
                last_modified TEXT,
                last_attempt INTEGER,
                last_success INTEGER,
                last_status INTEGER,
                last_error TEXT,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                next_due INTEGER,
                gone INTEGER NOT NULL DEFAULT 0,
                redirect_target TEXT,
                redirect_count INTEGER NOT NULL DEFAULT 0,
                last_unconditional INTEGER,
                ttl_minutes INTEGER
            );
            CREATE TABLE clusters (
                id INTEGER PRIMARY KEY,
                headline TEXT NOT NULL,
                representative_item_id INTEGER,
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                updated INTEGER NOT NULL
            );
            CREATE TABLE items (
                id INTEGER PRIMARY KEY,
                feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
                item_key TEXT NOT NULL,
                guid TEXT,
                title TEXT NOT NULL DEFAULT '',
                link TEXT,
                canonical_url TEXT,
                summary TEXT,
                content TEXT,
                author TEXT,
                published INTEGER,
                updated INTEGER,
                categories TEXT NOT NULL DEFAULT '[]',
                enclosures TEXT NOT NULL DEFAULT '[]',
                item_time INTEGER NOT NULL,
                first_stored INTEGER NOT NULL,
                content_hash INTEGER NOT NULL,
                cluster_id INTEGER NOT NULL REFERENCES clusters(id),
                similarity REAL NOT NULL DEFAULT 1.0,
                UNIQUE (feed_id, item_key)
            );
            CREATE INDEX items_cluster ON items(cluster_id);
            CREATE INDEX items_time ON items(item_time);
            CREATE INDEX items_canonical ON items(canonical_url);
            CREATE TABLE fingerprints (
                item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
                text_hash INTEGER NOT NULL,
                data BLOB NOT NULL
            );
            CREATE INDEX fingerprints_text_hash ON fingerprints(text_hash);
            CREATE TABLE band_keys (
                key INTEGER NOT NULL,
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                PRIMARY KEY (key, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX band_keys_item ON band_keys(item_id);
            CREATE TABLE feed_lines (
                feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
                line_hash INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (feed_id, line_hash)
            ) WITHOUT ROWID;
            """),
    // Issue 7 (upkeep): full-text search and retention. The search text of an item is its title plus the plain
    // text of its content (else its summary), computed by aggregator_search_text(), which Store registers on
    // every connection (Store+Search.swift). Triggers keep the index in the ingest transaction.
    Migration(
        version: 2, name: "full-text search over items, retention index",
        sql: """
            CREATE VIRTUAL TABLE items_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
            CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
                INSERT INTO items_fts (rowid, title, body)
                VALUES (new.id, new.title, aggregator_search_text(new.summary, new.content));
            END;
            CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, content ON items BEGIN
                UPDATE items_fts SET title = new.title, body = aggregator_search_text(new.summary, new.content)
                WHERE rowid = new.id;
            END;
            CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
                DELETE FROM items_fts WHERE rowid = old.id;
            END;
            INSERT INTO items_fts (rowid, title, body)
                SELECT id, title, aggregator_search_text(summary, content) FROM items;
            CREATE INDEX items_feed_stored ON items(feed_id, first_stored);
            """),
    // Keys of pruned items: a feed that still lists an item after retention removed it must not bring it back
    // as a new story.
    Migration(
        version: 3, name: "remember the keys of pruned items",
        sql: """
            CREATE TABLE pruned_keys (
                feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
                item_key TEXT NOT NULL,
                pruned_at INTEGER NOT NULL,
                PRIMARY KEY (feed_id, item_key)
            ) WITHOUT ROWID;
            """),
    // Issues 4 and 5 (write speed): the ingest transaction writes only what clustering needs.
    // - The search index is brought up to date when someone searches (`Store.updateSearchIndex`), not inside
    //   `fetch`: FTS5 indexing of a 4 KB text costs more than everything else an item needs (~230 us vs ~100 us
    //   measured). The Store notes each new item in search_pending itself (an insert trigger would make every
    //   item insert a multi-row statement, which copies each page it touches into a statement journal); a trigger
    //   notes edits.
    // - band_keys loses its item_id index and foreign key (half of its b-tree writes): an item's keys are
    //   removed by value, from its stored fingerprint, when the item is edited, reclustered or pruned.
    Migration(
        version: 4, name: "search index updated on demand, band keys without an item index",
        sql: """
            DROP TRIGGER items_fts_insert;
            DROP TRIGGER items_fts_update;
            CREATE TABLE search_pending (item_id INTEGER PRIMARY KEY);
            CREATE TRIGGER search_pending_update AFTER UPDATE OF title, summary, content ON items BEGIN
                INSERT OR IGNORE INTO search_pending (item_id) VALUES (new.id);
            END;
            CREATE TRIGGER search_pending_delete AFTER DELETE ON items BEGIN
                DELETE FROM search_pending WHERE item_id = old.id;
            END;
            CREATE TABLE band_keys_v4 (
                key INTEGER NOT NULL,
                item_id INTEGER NOT NULL,
                PRIMARY KEY (key, item_id)
            ) WITHOUT ROWID;
            INSERT INTO band_keys_v4 (key, item_id) SELECT b.key, b.item_id FROM band_keys b JOIN items i ON i.id = b.item_id;
            DROP TABLE band_keys;
            ALTER TABLE band_keys_v4 RENAME TO band_keys;
            """),
    // Issues 4 and 5 (write speed, flat cost as history grows): `feed_lines` counts only lines seen more than
    // once in a feed. Most lines of an article appear once ever; they are remembered in a Bloom filter per feed
    // (8 KB) instead of a row each, and get a row when they come back. Learned boilerplate needs a line in 20% of
    // a feed's items, so forgetting a line seen once long ago (the filter starts afresh when full) loses nothing.
    Migration(
        version: 5, name: "lines seen once per feed in a Bloom filter",
        sql: """
            CREATE TABLE feed_line_filters (
                feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
                lines INTEGER NOT NULL,
                bits BLOB NOT NULL
            );
            """),
    // Issue 5 (cost per new item flat as history grows): index rows partitioned by the week of their item's
    // time (`KeyPeriods`). Keyed by hash alone, a new item's rows landed all over a b-tree as big as the whole
    // history, and each commit rewrote pages everywhere in it.
    Migration(
        version: 6, name: "band keys partitioned by week",
        sql: """
            CREATE TABLE band_keys_v6 (
                period INTEGER NOT NULL,
                key INTEGER NOT NULL,
                item_id INTEGER NOT NULL,
                PRIMARY KEY (period, key, item_id)
            ) WITHOUT ROWID;
            INSERT INTO band_keys_v6 (period, key, item_id)
                SELECT CASE WHEN i.item_time >= 0 THEN i.item_time / 604800 ELSE -((604799 - i.item_time) / 604800) END,
                    b.key, b.item_id
                FROM band_keys b JOIN items i ON i.id = b.item_id;
            DROP TABLE band_keys;
            ALTER TABLE band_keys_v6 RENAME TO band_keys;
            """),
    // Issue 5 (cost per new item flat as history grows): a Bloom filter per week of `band_keys`, kept by the
    // writer (`KeyFilterState`). A run used to build its filter by scanning every row of its window, a cost
    // that grew with the history. Weeks without a stored filter get one built from their rows when first used.
    Migration(
        version: 7, name: "band key filters per week",
        sql: """
            CREATE TABLE band_filters (
                period INTEGER PRIMARY KEY,
                keys INTEGER NOT NULL,
                bits BLOB NOT NULL
            );
            """),
    // Issue 5 again: weeks were too big a part (see `KeyPeriods`). The rows go to the day of their item's time;
    // the weeks' filters go (each day's is built from its rows when first used).
    Migration(
        version: 8, name: "band keys partitioned by day",
        sql: """
            CREATE TABLE band_keys_v8 (
                period INTEGER NOT NULL,
                key INTEGER NOT NULL,
                item_id INTEGER NOT NULL,
                PRIMARY KEY (period, key, item_id)
            ) WITHOUT ROWID;
            INSERT INTO band_keys_v8 (period, key, item_id)
                SELECT CASE WHEN i.item_time >= 0 THEN i.item_time / 86400 ELSE -((86399 - i.item_time) / 86400) END AS day,
                    b.key, b.item_id
                FROM band_keys b JOIN items i ON i.id = b.item_id
                ORDER BY day, b.key, b.item_id;
            DROP TABLE band_keys;
            ALTER TABLE band_keys_v8 RENAME TO band_keys;
            DELETE FROM band_filters;
            """),
    // Issue 5: the text-hash index was the last one a new item inserted into at a random place over the whole
    // history (its pages, rewritten at every commit, grew with it). Candidates are no longer looked up by text
    // hash: the same text has the same signature, and its band keys find it.
    Migration(
        version: 9, name: "no index of text hashes",
        sql: """
            DROP INDEX IF EXISTS fingerprints_text_hash;
            """),
]

extension Database {
    /// The newest schema version this build knows.
    static var currentSchemaVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every migration not yet recorded, each in its own transaction.
    /// - Throws: when the database belongs to another application or was written by a newer aggregator.
    func migrate() throws(StoreError) {
        let appID = try scalarInt("PRAGMA application_id") ?? 0
        let tableCount = try scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        if appID != applicationID && !(appID == 0 && tableCount == 0) {
            throw StoreError(code: 0, message: "not an aggregator database (it holds other tables)", context: path)
        }
        try execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
        let applied = try scalarInt("SELECT max(version) FROM schema_migrations") ?? 0
        if applied > Self.currentSchemaVersion {
            throw StoreError(
                code: 0,
                message: "written by a newer aggregator (schema \(applied), this one knows \(Self.currentSchemaVersion)); upgrade aggregator",
                context: path)
        }
        // A migration may sort a whole table (8: every band key): let the sort spill to a temporary file rather
        // than hold it all in memory, as the connection's `temp_store = MEMORY` would.
        if applied < Self.currentSchemaVersion { try execute("PRAGMA temp_store = DEFAULT") }
        defer { try? execute("PRAGMA temp_store = MEMORY") }
        for migration in migrations where migration.version > applied {
            do {
                try execute("BEGIN IMMEDIATE")
                try execute(migration.sql)
                try run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now'))",
                    migration.version, migration.name)
                try execute("PRAGMA application_id = \(applicationID)")
                try execute("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw StoreError(
                    code: error.code, message: error.message,
                    context: "migration \(migration.version) (\(migration.name)) of \(path)")
            }
        }
    }
}
