import CRMCore
import Synchronization

/// The index behind `starts` / `contains` filters on text, e-mail, phone and URL fields.
///
/// - SQLite: a contentless FTS5 table with the trigram tokenizer (`text_fts`), one row per record
///   under its search document id, holding `TextFold.document` of the record's values. A prefix
///   is the phrase of the field's tag twice and the prefix (`TextFold.startsQuery`); a substring
///   of three characters or more is itself a phrase. The store asks it for at most a few
///   thousand candidates first (see `RecordStore.narrowed`).
/// - PostgreSQL: one pg_trgm GIN index per record table over the folded concatenation of the
///   table's indexed columns and its `custom` document (`expression`). Row-level security keeps
///   the application role's `LIKE` from the index (it is not leakproof), so the look-up goes
///   through a function per table (`lookUpFunction`, migration 0010) that runs as the
///   migrations' role, in the session's workspace only, and names at most `cap` ids; a filter
///   matching at most `postgresCandidates` records reads just those (decision 0004, amended).
///
/// Either way the exact comparison (`crm_fold(column) LIKE ...`) decides; the index only narrows.
public enum TextFilterIndex {
    /// Built-in columns of an entity that the PostgreSQL expression covers, in definition order.
    /// The expression of migration 0007 was made from these; a migration that adds such a column
    /// must rebuild the index (until then filters on the new column fall back to a scan).
    static func columns(of entity: EntityDefinition) -> [String] {
        entity.builtinFields.filter { TextFold.isIndexed($0.type) }.map(\.name)
    }

    /// PostgreSQL: the function that looks a `LIKE` pattern up in a table's trigram index.
    static func lookUpFunction(of entity: EntityDefinition) -> String {
        "crm_text_ids_" + entity.table
    }

    /// PostgreSQL: how many ids a filter may name before the page walks its sort order instead.
    static let postgresCandidates = 5_000

    /// PostgreSQL: the indexed expression of a record table.
    static func expression(of entity: EntityDefinition) -> String {
        let parts = columns(of: entity).map { "coalesce(\(SQLDialect.postgres.quote($0)), '')" } + ["custom::text"]
        return "crm_fold(" + parts.joined(separator: " || ' ' || ") + ")"
    }

    /// How many candidates the SQLite index may name before a filter counts as too common to be
    /// worth it (then the page walks its sort order and compares rows instead).
    ///
    /// A walk to the 51st match of M among N rows reads about 51·N/M rows; reading M candidates
    /// by id costs about four B-tree look-ups each (index, document, record key, row) where the
    /// walk takes one or two. The two cost the same at M = √(51·N/4): about 1,100 at 100,000 rows
    /// and 3,600 at a million, where the worst case of either is a few thousand rows. N comes
    /// from the planner's statistics (`sqlite_stat1`, kept by `PRAGMA optimize`), read at most
    /// once a minute per table.
    static func candidateLimit(table: String, on connection: any DatabaseConnection) async throws -> Int {
        let now = ContinuousClock.now
        if let cached = limits.withLock({ $0[table] }), now - cached.at < .seconds(60) { return cached.limit }
        // No statistics yet (a new file before its first `PRAGMA optimize`): the smallest limit.
        let rows =
            try? await connection.first(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = \(.text(table)) AND idx = \(.text(table + "_created"))"
            )?.string("stat").flatMap { $0.split(separator: " ").first.flatMap { Int($0) } }
        let limit =
            rows.map { min(maximumCandidates, max(minimumCandidates, Int((51 * Double($0) / 4).squareRoot()))) }
            ?? minimumCandidates
        limits.withLock { $0[table] = (now, limit) }
        return limit
    }

    /// SQLite: the name of a column's own sort index (`<table>_<column>`: workspace, column, id,
    /// live rows; `Schema.sortIndex`), nil when it has none. Read from the schema once per table
    /// and process (migrations run before the server starts).
    static func sortIndex(table: String, column: String, on connection: any DatabaseConnection) async throws -> String? {
        let indexes: Set<String>
        if let known = sortIndexes.withLock({ $0[table] }) {
            indexes = known
        } else {
            indexes = Set(
                try await connection.query(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = \(.text(table)) AND sql LIKE '%WHERE deleted_at IS NULL'"
                ).compactMap { $0.string("name") })
            sortIndexes.withLock { $0[table] = indexes }
        }
        let name = table + "_" + column
        return indexes.contains(name) ? name : nil
    }

    /// How many candidates a filter may name when the list's sort has no index (the other way
    /// is to sort every match of the table).
    static let unsortedCandidates = 100_000

    static let minimumCandidates = 1_000
    static let maximumCandidates = 8_000
    private static let sortIndexes = Mutex<[String: Set<String>]>([:])
    private static let limits = Mutex<[String: (at: ContinuousClock.Instant, limit: Int)]>([:])
}
