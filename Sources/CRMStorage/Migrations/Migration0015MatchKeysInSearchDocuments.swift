/// SQLite keeps the duplicate check's match keys as tokens of the records' search documents
/// (`MatchKeyStore`, decision 0012) instead of `match_keys` rows: the rows go, and every workspace
/// is reindexed once to write the tokens. PostgreSQL keeps its table.
enum Migration0015MatchKeysInSearchDocuments {
    static let migration = Migration(version: 15, name: "match keys in search documents") { dialect in
        guard dialect == .sqlite else { return [] }
        return ["DELETE FROM match_keys", Schema.reindexAllWorkspaces(key: "search.reindex.15", dialect)]
    }
}
