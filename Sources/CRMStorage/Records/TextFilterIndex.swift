import CRMCore
import Synchronization

/// The index behind `starts` / `contains` filters on text, e-mail, phone and URL fields.
///
/// - SQLite: a contentless FTS5 table with the trigram tokenizer (`text_fts`), one row per record
///   under its search document id, holding `TextFold.document` of the record's values. A prefix
///   is the phrase of the field's tag twice and the prefix (`TextFold.startsQuery`); a substring
///   of three characters or more is itself a phrase. The store asks it for at most a few
///   thousand candidates first (see `RecordStore.planned`).
/// - PostgreSQL: one pg_trgm GIN index per record table over the folded concatenation of the
///   table's indexed columns and its `custom` document (`expression`). Row-level security keeps
///   the application role's `LIKE` from the index (it is not leakproof), so the look-up goes
///   through a function per table (`lookUpFunction`, migration 0010) that runs as the
///   migrations' role, in the session's workspace only, and names at most `cap` ids; a filter
///   matching at most `postgresCandidates` records reads just those (decision 0004, amended).
///
/// A `starts` filter on a built-in field with a sort index of its own reads that index instead,
/// on both (`startsRanges`, decision 0011).
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

    /// How many candidates a filter may name before it counts as too common to be worth reading
    /// (then the page walks its sort order and compares rows instead; `RecordStore.pageRows`).
    ///
    /// A walk to the 51st match of M among N rows reads about 51·N/M rows; reading M candidates
    /// by id costs about four B-tree look-ups each (index, document, record key, row) where the
    /// walk takes one or two. The two cost the same at M = √(51·N/4): about 1,100 at 100,000 rows
    /// and 3,600 at a million, where the worst case of either is a few thousand rows. N comes
    /// from the planner's statistics (`sqlite_stat1`, kept by `PRAGMA optimize`), read at most
    /// once a minute per table.
    static func candidateLimit(table: String, on connection: any DatabaseConnection) async throws -> Int {
        // PostgreSQL: a fixed limit (its trigram look-up rechecks each row it names; measured
        // in session 4 of issue 12, decision 0006).
        if connection.dialect == .postgres { return postgresCandidates }
        let now = ContinuousClock.now
        if let cached = limits.withLock({ $0[table] }), now - cached.at < .seconds(60) { return cached.limit }
        // No statistics yet (a new database before its first analysis): the smallest limit.
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

    /// The name of a column's own sort index (`<table>_<column>`: workspace, column, id, live
    /// rows; `Schema.sortIndex`), nil when it has none — or, on PostgreSQL, when the database
    /// does not order text by code point (its collation is not C: the ranges of
    /// `startsRanges` would not hold). Read from the catalog once per table and process
    /// (migrations run before the server starts).
    static func sortIndex(table: String, column: String, on connection: any DatabaseConnection) async throws -> String? {
        let indexes: Set<String>
        let key = "\(connection.dialect)/\(table)"
        if let known = sortIndexes.withLock({ $0[key] }) {
            indexes = known
        } else {
            switch connection.dialect {
            case .sqlite:
                indexes = Set(
                    try await connection.query(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = \(.text(table)) AND sql LIKE '%WHERE deleted_at IS NULL'"
                    ).compactMap { $0.string("name") })
            case .postgres:
                let collation = try await connection.first(
                    "SELECT datcollate AS c FROM pg_database WHERE datname = current_database()")?.string("c")
                let codePointOrder = ["C", "POSIX", "C.UTF-8", "C.utf8"].contains(collation ?? "")
                indexes =
                    codePointOrder
                    ? Set(
                        try await connection.query(
                            "SELECT indexname FROM pg_indexes WHERE tablename = \(.text(table)) AND indexdef LIKE '%WHERE (deleted_at IS NULL)'"
                        ).compactMap { $0.string("indexname") }) : []
            }
            sortIndexes.withLock { $0[key] = indexes }
        }
        let name = table + "_" + column
        return indexes.contains(name) ? name : nil
    }

    /// The ranges of a column's sort index that hold the values starting with `prefix`
    /// in any case (`TextFold.PrefixSpellings`), one per spelling of the prefix's characters
    /// that some live record of the workspace has. The spellings are found a character at a
    /// time: each level asks the index, in one statement of one seek per spelling, which of the
    /// heads one character longer occur, so data written in one case (names capitalised, e-mail
    /// addresses in lower case) ends with one exact range and no value in it that does not
    /// match. Past `maximumRanges` spellings, or `maximumSpelledCharacters` characters, the rest of
    /// the prefix is bounded by its lowest and highest spellings. Nil when the prefix has characters without certain spellings; no
    /// ranges when no value matches.
    static func startsRanges(
        prefix: String, column: String, index: String, table: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [IndexRanges.Range]? {
        guard let spellings = TextFold.PrefixSpellings(prefix) else { return nil }
        var heads: [[Unicode.Scalar]] = [[]]
        for position in spellings.choices.indices.prefix(maximumSpelledCharacters) {
            let longer = spellings.extend(heads, at: position)
            if longer.count > maximumRanges { break }
            let probes = longer.enumerated().map { offset, head -> SQLFragment in
                let range = spellings.range(head)
                let scan = RecordQueryCompiler.rangeScan(
                    select: "1", table: table, index: index, column: column, range: .init(lower: range.lower, upper: range.upper),
                    scope: scope, dialect: connection.dialect)
                return "CASE WHEN EXISTS (" + scan + ") THEN 1 ELSE 0 END AS p\(raw: String(offset))"
            }
            guard let row = try await connection.first("SELECT " + SQLFragment.joined(probes, separator: ", ")) else { return nil }
            heads = longer.indices.filter { row.int("p\($0)") == 1 }.map { longer[$0] }
            if heads.isEmpty { return [] }
        }
        return spellings.ranges(heads).map { IndexRanges.Range(lower: $0.lower, upper: $0.upper) }
    }

    /// How many rows of its sort order a page walks before it reads a common filter's
    /// candidates instead (`RecordStore.pageRows`): forty rows for each one the page shows, so
    /// matches making 2.5% of the rows or more meet a page within the window wherever they lie
    /// evenly (2,040 rows for a page of 50; a filter is common when it names more than
    /// `candidateLimit` records, 3,600 of a million).
    static func walkWindow(limit: Int) -> Int { 40 * (limit + 1) }

    /// How many candidates a page reads at most when its window of the sort order did
    /// not hold a page of matches (`RecordStore.pageRows`); more, and it walks on.
    static let fallbackCandidates = 50_000

    /// How many spellings of a prefix become ranges of their own (each is a seek of the index).
    static let maximumRanges = 16

    /// How many of a prefix's characters are spelled out against the index (a statement each);
    /// the rest are bounded by their lowest and highest spellings.
    static let maximumSpelledCharacters = 8

    /// How many candidates a filter may name when the list's sort has no index (the other way
    /// is to sort every match of the table).
    static let unsortedCandidates = 100_000

    static let minimumCandidates = 100

    /// The most candidates any plan reads (the look-up function's bound when a page reads them:
    /// the plan counted them first).
    static let mostCandidates = max(unsortedCandidates, fallbackCandidates)
    static let maximumCandidates = 8_000
    private static let sortIndexes = Mutex<[String: Set<String>]>([:])
    private static let limits = Mutex<[String: (at: ContinuousClock.Instant, limit: Int)]>([:])
}
