import Synchronization

/// FTS5 rows a SQLite transaction writes last, in bulk.
///
/// FTS5 flushes its pending index data into a new segment whenever a statement that may abort
/// begins in the transaction (SQLite opens a statement savepoint on every virtual table then):
/// written one record at a time, between the records' other inserts, every record became a
/// segment of its own and merging them cost more than the rest of the write. Rows collected here
/// are written by one multi-row INSERT per table just before COMMIT (or before anything in the
/// transaction reads those tables).
final class FTSBuffer: Sendable {
    /// Per table, per rowid: the text and, for `search_fts`, the access column.
    private let rows = Mutex<[String: [Int64: (text: String, access: String?)]]>([:])

    var isEmpty: Bool { rows.withLock { $0.values.allSatisfy(\.isEmpty) } }

    func insert(table: String, rowid: Int64, text: String, access: String? = nil) {
        rows.withLock { $0[table, default: [:]][rowid] = (text, access) }
    }

    /// Forgets a pending row; true when there was one (no stored row to delete, then).
    func remove(table: String, rowid: Int64) -> Bool {
        rows.withLock { $0[table]?.removeValue(forKey: rowid) != nil }
    }

    /// Writes every pending row and empties the buffer.
    func flush(on connection: SQLiteSession) async throws {
        let pending = rows.withLock { rows in
            defer { rows = [:] }
            return rows
        }
        for (table, entries) in pending.sorted(by: { $0.key < $1.key }) where !entries.isEmpty {
            let withAccess = table == "search_fts"
            let columns = withAccess ? "terms, access" : "body"
            let sorted = entries.sorted { $0.key < $1.key }
            for start in stride(from: 0, to: sorted.count, by: 500) {
                var sql: SQLFragment = "INSERT INTO \(raw: table) (rowid, \(raw: columns)) VALUES "
                sql.append(
                    SQLFragment.joined(
                        sorted[start..<min(sorted.count, start + 500)].map { entry in
                            withAccess
                                ? "(\(.int(entry.key)), \(.text(entry.value.text)), \(.text(entry.value.access ?? "")))"
                                : "(\(.int(entry.key)), \(.text(entry.value.text)))"
                        }, separator: ", "))
                _ = try await connection.unbuffered.query(sql)
            }
        }
    }
}
