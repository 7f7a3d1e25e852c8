/// Duplicate look-ups by exact key (`MatchKeys`): phone match keys, e-mails, tax ids and name
/// skeleton words and pairs, one B-tree row each, newest record first. Before this the check
/// intersected the search index's postings of common name words, whose cost grew with the data.
/// Every workspace is reindexed once to fill the table.
enum Migration0006MatchKeys {
    static let migration = Migration(version: 6, name: "duplicate match keys") { dialect in
        let uuid = dialect.uuidType
        let rowid = dialect == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE match_keys (workspace_id \(uuid) NOT NULL, entity TEXT NOT NULL, match_key TEXT NOT NULL,
              record_id \(uuid) NOT NULL, PRIMARY KEY (workspace_id, entity, match_key, record_id))\(rowid)
            """
        ] + Schema.tenantPolicy("match_keys", dialect) + [Schema.reindexAllWorkspaces(key: "search.reindex.6", dialect)]
    }
}
