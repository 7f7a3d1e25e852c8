import CRMCore

/// The index behind `starts` / `contains` filters on text, e-mail, phone and URL fields.
///
/// - SQLite: a contentless FTS5 table with the trigram tokenizer (`text_fts`), one row per record
///   under its search document id, holding `TextFold.document` of the record's values. A prefix
///   is the phrase of the field's tag twice and the prefix (`TextFold.startsQuery`); a substring
///   of three characters or more is itself a phrase. The store asks it for at most a few thousand candidates first (see `RecordStore`).
/// - PostgreSQL: one pg_trgm GIN index per record table over the folded concatenation of the
///   table's indexed columns and its `custom` document (`expression`); a filter adds
///   `expression LIKE '%text%'`, which that index serves, beside the exact comparison.
///
/// Either way the exact comparison (`crm_fold(column) LIKE ...`) decides; the index only narrows.
public enum TextFilterIndex {
    /// Built-in columns of an entity that the PostgreSQL expression covers, in definition order.
    /// The expression of migration 0007 was made from these; a migration that adds such a column
    /// must rebuild the index (until then filters on the new column fall back to a scan).
    static func columns(of entity: EntityDefinition) -> [String] {
        entity.builtinFields.filter { TextFold.isIndexed($0.type) }.map(\.name)
    }

    /// PostgreSQL: the indexed expression of a record table.
    static func expression(of entity: EntityDefinition) -> String {
        let parts = columns(of: entity).map { "coalesce(\(SQLDialect.postgres.quote($0)), '')" } + ["custom::text"]
        return "crm_fold(" + parts.joined(separator: " || ' ' || ") + ")"
    }

    /// How many candidates the SQLite index may name before a filter counts as too common to be
    /// worth it (then the page walks its sort order and compares rows instead).
    static let candidateLimit = 1_000
}
