import CRMCore
import Foundation

/// The duplicate check's exact keys (`MatchKeys`), one row per key and record, written in the
/// record's transaction. A look-up reads at most a fixed number of the newest records per key, so
/// its cost does not depend on how many records share a key.
public enum MatchKeyStore {
    public static func add(_ keys: [String], entity: String, id: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await add(keys.map { (id, $0) }, entity: entity, scope: scope, on: connection)
    }

    /// Keys of many records (a batch, a reindex), a few thousand rows per statement.
    public static func add(_ rows: [(UUID, String)], entity: String, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
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
        guard !keys.isEmpty else { return }
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
        let parts: [SQLFragment] = keys.map { item in
            """
            SELECT * FROM (SELECT record_id FROM match_keys WHERE workspace_id = \(.uuid(scope.workspaceID))
              AND entity = \(.text(entity)) AND match_key = \(.text(item.key)) ORDER BY record_id DESC LIMIT \(raw: String(item.limit))) k
            """
        }
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
            let parts: [SQLFragment] = unique[start..<min(unique.count, start + 400)].map { key in
                """
                SELECT * FROM (SELECT match_key, record_id FROM match_keys WHERE workspace_id = \(.uuid(scope.workspaceID))
                  AND entity = \(.text(entity)) AND match_key = \(.text(key)) ORDER BY record_id DESC LIMIT \(raw: String(limit))) k
                """
            }
            for row in try await connection.query(SQLFragment.joined(parts, separator: " UNION ALL ")) {
                guard let key = row.string("match_key"), let id = row.uuid("record_id") else { continue }
                result[key, default: []].append(id)
            }
        }
        return result
    }
}
