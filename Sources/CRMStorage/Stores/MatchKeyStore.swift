import CRMCore
import Foundation

/// The duplicate check's exact keys (`MatchKeys`), written in the record's transaction. A look-up
/// reads at most a fixed number of the newest records per key, so its cost does not depend on how
/// many records share a key.
///
/// PostgreSQL keeps them in `match_keys`, one B-tree row per key and record. SQLite keeps them as
/// tokens of the record's search document (`token`, in `search_fts`'s access column; decision
/// 0012): a B-tree row per key put each new record's five to eight keys on as many random leaves
/// (37% of the pages a create wrote), where FTS5 gathers a transaction's tokens into one new
/// segment. There `add` and `remove` do nothing: `SearchIndexStore` writes the tokens with the
/// document, and they go with it.
public enum MatchKeyStore {
    /// Whether keys are rows of their own (`match_keys`) rather than search document tokens.
    public static func keptApart(_ dialect: SQLDialect) -> Bool { dialect == .postgres }

    /// SQLite: a key as one search token, "k" and 60 bits of a hash of the workspace, the entity
    /// and the key in 12 base-32 characters. Thirteen characters, so none of the prefix indexes
    /// (14-19 characters, for the workspace-tagged words) takes it; the access terms start with
    /// other letters. Two keys sharing a token (about one pair in 10^18) make a candidate that
    /// scoring turns away, or a batch's key match that is not one.
    public static func token(_ key: String, entity: String, workspace: UUID) -> String {
        // FNV-1a over the three parts, each closed by a byte none of them holds, then a
        // finalizing mix so that every bit taken depends on every byte.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [workspace.lowercased, entity, key] {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            hash ^= 0x1F
            hash &*= 0x100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        var bytes: [UInt8] = [UInt8(ascii: "k")]
        for _ in 0..<12 {
            bytes.append(base32[Int(hash & 31)])
            hash >>= 5
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let base32 = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func add(_ keys: [String], entity: String, id: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await add(keys.map { (id, $0) }, entity: entity, scope: scope, on: connection)
    }

    /// Keys of many records (a batch, a reindex), a few thousand rows per statement.
    public static func add(_ rows: [(UUID, String)], entity: String, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        guard keptApart(connection.dialect) else { return }
        for start in stride(from: 0, to: rows.count, by: 2_000) {
            let chunk = rows[start..<min(rows.count, start + 2_000)]
            var sql: SQLFragment = "INSERT INTO match_keys (workspace_id, entity, match_key, record_id) VALUES "
            sql.append(
                SQLFragment.joined(
                    chunk.map { "(\(.uuid(scope.workspaceID)), \(.text(entity)), \(.text($0.1)), \(.uuid($0.0)))" }, separator: ", "))
            sql.append(" ON CONFLICT DO NOTHING")
            try await connection.execute(sql)
        }
    }

    public static func remove(_ keys: [String], entity: String, id: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        guard !keys.isEmpty, keptApart(connection.dialect) else { return }
        var sql: SQLFragment = """
            DELETE FROM match_keys WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity))
              AND record_id = \(.uuid(id)) AND match_key IN (
            """
        sql.append(SQLFragment.joined(keys.map { "\(.text($0))" }, separator: ", "))
        sql.append(")")
        try await connection.execute(sql)
    }

    /// Ids of records stored under any of `keys`, the newest `limit` of each key, in one statement.
    public static func candidates(
        _ keys: [(key: String, limit: Int)], entity: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [UUID] {
        guard !keys.isEmpty else { return [] }
        let parts = keys.map { lookUp($0.key, limit: $0.limit, entity: entity, scope: scope, dialect: connection.dialect) }
        let rows = try await connection.query(SQLFragment.joined(parts, separator: " UNION ALL "))
        var seen = Set<UUID>()
        return rows.compactMap { $0.uuid("record_id") }.filter { seen.insert($0).inserted }
    }

    /// For each key, the newest `limit` records stored under it (a batch's look-up: a few hundred
    /// keys per statement, each answered by one seek).
    public static func holders(
        _ keys: [String], limit: Int, entity: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [String: [UUID]] {
        var result: [String: [UUID]] = [:]
        let unique = Array(Set(keys)).sorted()
        for start in stride(from: 0, to: unique.count, by: 400) {
            let parts = unique[start..<min(unique.count, start + 400)].map {
                lookUp($0, limit: limit, entity: entity, scope: scope, dialect: connection.dialect)
            }
            for row in try await connection.query(SQLFragment.joined(parts, separator: " UNION ALL ")) {
                guard let key = row.string("match_key"), let id = row.uuid("record_id") else { continue }
                result[key, default: []].append(id)
            }
        }
        return result
    }

    /// One key's newest `limit` records (`match_key`, `record_id`): from `match_keys`, or from the
    /// documents holding its token, newest document first (document ids grow with each new
    /// record's).
    static func lookUp(_ key: String, limit: Int, entity: String, scope: AccessScope, dialect: SQLDialect) -> SQLFragment {
        let workspace = SQLValue.uuid(scope.workspaceID)
        guard !keptApart(dialect) else {
            return """
                SELECT * FROM (SELECT match_key, record_id FROM match_keys WHERE workspace_id = \(workspace)
                  AND entity = \(.text(entity)) AND match_key = \(.text(key)) ORDER BY record_id DESC LIMIT \(raw: String(limit))) k
                """
        }
        let match = "access : \"" + token(key, entity: entity, workspace: scope.workspaceID) + "\""
        return """
            SELECT * FROM (SELECT \(.text(key)) AS match_key, d.record_id AS record_id
              FROM (SELECT rowid AS doc_id FROM search_fts WHERE search_fts MATCH \(.text(match))
                ORDER BY rowid DESC LIMIT \(raw: String(limit))) m
              JOIN search_documents d ON d.doc_id = m.doc_id
              WHERE d.workspace_id = \(workspace) AND d.entity = \(.text(entity))) k
            """
    }
}
