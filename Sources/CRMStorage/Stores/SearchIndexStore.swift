import CRMCore
import Foundation

/// What the index keeps of one record.
public struct SearchDocument: Sendable {
    public var title: String
    public var subtitle: String?
    public var terms: String
    /// SQLite's `starts` / `contains` filter document (`TextFold.document`).
    public var filterText: String

    public init(title: String, subtitle: String?, terms: String, filterText: String) {
        self.title = title
        self.subtitle = subtitle
        self.terms = terms
        self.filterText = filterText
    }
}

/// One hit of the cross-entity search.
public struct SearchHit: Sendable, Hashable {
    public var entity: String
    public var id: UUID
    public var title: String
    public var subtitle: String?
    public var score: Double
}

/// The search index: SQLite FTS5 (contentless, rows keyed by `search_documents.doc_id`) or a
/// PostgreSQL tsvector with a GIN index. Both index the same terms (`SearchTerms`), written in
/// the same transaction as the record.
public enum SearchIndexStore {
    /// Writes a record's search document. On SQLite `filterText` (`TextFold.document`) goes to the
    /// trigram table that serves `starts` / `contains` filters, under the same document id;
    /// PostgreSQL's trigram index is an expression index over the record row itself.
    public static func upsert(
        entity: String, id: UUID, title: String, subtitle: String?, terms: String, filterText: String, isNew: Bool = false,
        scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        switch connection.dialect {
        case .sqlite:
            let terms = scoped(terms, workspace: scope.workspaceID)
            // A new record has no document yet: no look-up.
            let existing =
                isNew
                ? nil
                : try await connection.first(
                    "SELECT doc_id FROM search_documents WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id = \(.uuid(id))"
                )
            let docID: Int64
            if let found = existing?.int("doc_id") {
                docID = found
                try await deleteFTS("search_fts", rowid: docID, on: connection)
                try await deleteFTS("text_fts", rowid: docID, on: connection)
                try await connection.execute(
                    "UPDATE search_documents SET title = \(.text(title)), subtitle = \(.optional(subtitle)) WHERE doc_id = \(.int(docID))")
            } else {
                let row = try await connection.first(
                    "INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle) VALUES (\(workspace), \(.text(entity)), \(.uuid(id)), \(.text(title)), \(.optional(subtitle))) RETURNING doc_id"
                )
                docID = row?.int("doc_id") ?? 0
            }
            try await insertFTS("search_fts", rowid: docID, text: terms, on: connection)
            if !filterText.isEmpty { try await insertFTS("text_fts", rowid: docID, text: filterText, on: connection) }
        case .postgres:
            try await connection.execute(
                """
                INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle, terms)
                VALUES (\(workspace), \(.text(entity)), \(.uuid(id)), \(.text(title)), \(.optional(subtitle)), \(.text(terms)))
                ON CONFLICT (workspace_id, entity, record_id) DO UPDATE SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, terms = EXCLUDED.terms
                """)
        }
    }

    /// Documents of records created in this transaction (none has one yet), a few thousand rows
    /// per statement. On SQLite the document ids are given here (after the largest, as SQLite
    /// would), so the full-text rows can be keyed without reading each id back.
    public static func insertNew(
        _ documents: [(UUID, SearchDocument)], entity: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        guard !documents.isEmpty else { return }
        let workspace = SQLValue.uuid(scope.workspaceID)
        switch connection.dialect {
        case .sqlite:
            let base = try await connection.first("SELECT COALESCE(MAX(doc_id), 0) AS top FROM search_documents")?.int("top") ?? 0
            for start in stride(from: 0, to: documents.count, by: 4_000) {
                let chunk = documents[start..<min(documents.count, start + 4_000)]
                var sql: SQLFragment = "INSERT INTO search_documents (doc_id, workspace_id, entity, record_id, title, subtitle) VALUES "
                sql.append(
                    SQLFragment.joined(
                        chunk.enumerated().map { offset, item in
                            "(\(.int(base + Int64(start + offset) + 1)), \(workspace), \(.text(entity)), \(.uuid(item.0)), \(.text(item.1.title)), \(.optional(item.1.subtitle)))"
                        }, separator: ", "))
                try await connection.execute(sql)
            }
            for (offset, item) in documents.enumerated() {
                let docID = base + Int64(offset) + 1
                try await insertFTS("search_fts", rowid: docID, text: scoped(item.1.terms, workspace: scope.workspaceID), on: connection)
                if !item.1.filterText.isEmpty { try await insertFTS("text_fts", rowid: docID, text: item.1.filterText, on: connection) }
            }
        case .postgres:
            for start in stride(from: 0, to: documents.count, by: 4_000) {
                var sql: SQLFragment = "INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle, terms) VALUES "
                sql.append(
                    SQLFragment.joined(
                        documents[start..<min(documents.count, start + 4_000)].map { item in
                            "(\(workspace), \(.text(entity)), \(.uuid(item.0)), \(.text(item.1.title)), \(.optional(item.1.subtitle)), \(.text(item.1.terms)))"
                        }, separator: ", "))
                sql.append(
                    " ON CONFLICT (workspace_id, entity, record_id) DO UPDATE SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, terms = EXCLUDED.terms"
                )
                try await connection.execute(sql)
            }
        }
    }

    /// SQLite: an FTS row goes to the transaction's buffer (written last, in bulk: `FTSBuffer`).
    static func insertFTS(_ table: String, rowid: Int64, text: String, on connection: any DatabaseConnection) async throws {
        if let session = connection as? SQLiteSession, let fts = session.fts {
            fts.insert(table: table, rowid: rowid, text: text)
        } else {
            try await connection.execute(
                "INSERT INTO \(raw: table) (rowid, \(raw: table == "search_fts" ? "terms" : "body")) VALUES (\(.int(rowid)), \(.text(text)))"
            )
        }
    }

    /// SQLite: removes an FTS row, or only its pending version when this transaction wrote it
    /// (the stored one, if any, was deleted before that was written).
    static func deleteFTS(_ table: String, rowid: Int64, on connection: any DatabaseConnection) async throws {
        if let session = connection as? SQLiteSession, let fts = session.fts, fts.remove(table: table, rowid: rowid) { return }
        try await connection.execute("DELETE FROM \(raw: table) WHERE rowid = \(.int(rowid))")
    }

    /// Rewrites the SQLite filter documents of records whose search documents exist (a reindex
    /// after a bulk load). Nothing to do on PostgreSQL.
    public static func replaceFilterTexts(
        _ texts: [(UUID, String)], entity: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        guard connection.dialect == .sqlite, !texts.isEmpty else { return }
        var lookup: SQLFragment =
            "SELECT record_id, doc_id FROM search_documents WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id IN ("
        lookup.append(SQLFragment.joined(texts.map { "\(.uuid($0.0))" }, separator: ", "))
        lookup.append(")")
        var documents: [UUID: Int64] = [:]
        for row in try await connection.query(lookup) {
            if let id = row.uuid("record_id"), let docID = row.int("doc_id") { documents[id] = docID }
        }
        // One DELETE for the page (a statement per row made FTS5 flush and merge between them).
        let stored = texts.compactMap { documents[$0.0] }
        for start in stride(from: 0, to: stored.count, by: 5_000) {
            var delete: SQLFragment = "DELETE FROM text_fts WHERE rowid IN ("
            delete.append(SQLFragment.joined(stored[start..<min(stored.count, start + 5_000)].map { "\(.int($0))" }, separator: ", "))
            delete.append(")")
            try await connection.execute(delete)
        }
        for (id, text) in texts where !text.isEmpty {
            guard let docID = documents[id] else { continue }
            try await insertFTS("text_fts", rowid: docID, text: text, on: connection)
        }
    }

    public static func remove(entity: String, id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        if connection.dialect == .sqlite {
            if let docID = try await connection.first(
                "SELECT doc_id FROM search_documents WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id = \(.uuid(id))"
            )?.int("doc_id") {
                try await deleteFTS("search_fts", rowid: docID, on: connection)
                try await deleteFTS("text_fts", rowid: docID, on: connection)
            }
        }
        try await connection.execute(
            "DELETE FROM search_documents WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id = \(.uuid(id))")
    }

    /// Ranked hits across entities (or one), best first: records holding the words as typed come
    /// first, then those holding words that start so (a search sent at every keystroke). Each
    /// tier ranks a bounded set of the newest matching documents, not every match.
    ///
    /// `visible` (from `visibility(scope:entities:)`) keeps to the documents of records the caller
    /// may read; it applies inside each tier, before the tier's limit.
    public static func search(
        text: String, entities: [String]?, limit: Int, scope: AccessScope, visible: SQLFragment?, on connection: any DatabaseConnection
    ) async throws -> [SearchHit] {
        let words = SearchTerms.queryWords(text)
        guard !words.isEmpty else { return [] }
        let workspace = SQLValue.uuid(scope.workspaceID)
        let entityList: SQLFragment? = entities.map { SQLFragment.joined($0.map { "\(.text($0))" }, separator: ", ") }
        var sql: SQLFragment
        switch connection.dialect {
        case .sqlite:
            // Rank inside FTS5 among the newest matches of this workspace, then join the few
            // survivors. An entity filter applies after the join, so it ranks every match instead.
            // Prefix matches are ordered newest first, not by bm25: its weights count the
            // documents holding each term, and for a prefix FTS5 walks the whole doclist to do so
            // (71% of the CPU of search as typed at a million contacts, `perf`).
            let cap = String(entities == nil || visible != nil ? candidateLimit : -1)
            func tier(_ exact: Bool) -> SQLFragment {
                guard let visible else {
                    return """
                        SELECT * FROM (SELECT rowid AS doc_id, \(raw: exact ? "0" : "1") AS tier, \(raw: exact ? "bm25(search_fts)" : "0.0") AS score FROM search_fts
                        WHERE search_fts MATCH \(.text(ftsQuery(words, workspace: scope.workspaceID, prefix: !exact)))
                        ORDER BY rowid DESC LIMIT \(raw: cap))
                        """
                }
                // A caller who sees part of the workspace: the documents are joined inside the
                // tier, so its limit counts only what they may read.
                var part: SQLFragment = """
                    SELECT * FROM (SELECT search_fts.rowid AS doc_id, \(raw: exact ? "0" : "1") AS tier, \(raw: exact ? "bm25(search_fts)" : "0.0") AS score
                    FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                    WHERE search_fts MATCH \(.text(ftsQuery(words, workspace: scope.workspaceID, prefix: !exact))) AND d.workspace_id = \(workspace) AND
                    """
                part.append(" ")
                part.append(visible)
                part.append(" ORDER BY search_fts.rowid DESC LIMIT \(raw: cap))")
                return part
            }
            sql =
                "SELECT d.entity AS entity, d.record_id AS record_id, d.title AS title, d.subtitle AS subtitle, c.tier AS tier, c.score AS score FROM (SELECT doc_id, MIN(tier) AS tier, MIN(score) AS score FROM ("
            sql.append(tier(true))
            sql.append(" UNION ALL ")
            sql.append(tier(false))
            let join: SQLFragment =
                ") GROUP BY doc_id) c JOIN search_documents d ON d.doc_id = c.doc_id WHERE d.workspace_id = \(workspace)"
            sql.append(join)
            if let entityList { sql.append(" AND d.entity IN (" + entityList + ")") }
            sql.append(" ORDER BY tier, score, d.doc_id DESC LIMIT \(raw: String(limit))")
        case .postgres:
            // Rank a bounded set of candidates from the GIN index per tier, not every match. The
            // index is read through `crm_search_documents` (migration 0010: the policy of
            // `search_documents` keeps the match operator from the index otherwise); for a caller
            // who sees part of the workspace it names every match, and the tier's limit counts
            // what they may read.
            func tier(_ exact: Bool) -> SQLFragment {
                let query = tsQuery(words, prefix: !exact)
                let entitiesText: SQLValue = entities.map { .text($0.joined(separator: ",")) } ?? .null
                let cap: SQLValue = visible == nil ? .int(Int64(candidateLimit)) : .null
                var part: SQLFragment = """
                    (SELECT d.entity, d.record_id, d.title, d.subtitle, \(raw: exact ? "0" : "1") AS tier, d.score
                    FROM crm_search_documents(\(.text(query)), \(entitiesText), \(cap)) AS d(entity, record_id, title, subtitle, score)
                    """
                if let visible { part.append(" WHERE " + visible) }
                part.append(" LIMIT \(raw: String(candidateLimit)))")
                return part
            }
            sql = "SELECT entity, record_id, MIN(title) AS title, MIN(subtitle) AS subtitle, MIN(tier) AS tier, MAX(score) AS score FROM ("
            sql.append(tier(true))
            sql.append(" UNION ALL ")
            sql.append(tier(false))
            sql.append(") c GROUP BY entity, record_id ORDER BY MIN(tier), MAX(score) DESC, record_id DESC LIMIT \(raw: String(limit))")
        }
        return try await connection.query(sql).compactMap { row in
            guard let entity = row.string("entity"), let id = row.uuid("record_id") else { return nil }
            let raw = row.double("score") ?? 0
            let tier = Double(row.int("tier") ?? 0)
            // One number that orders as the response does: whole words above prefixes.
            let score = (connection.dialect == .sqlite ? -raw : raw) - tier * 1_000
            return SearchHit(entity: entity, id: id, title: row.string("title") ?? "", subtitle: row.string("subtitle"), score: score)
        }
    }

    /// A list-query condition: the record's id is among the matches of `text` in its entity.
    static func matchCondition(scope: AccessScope, entity: EntityDefinition, text: String, dialect: SQLDialect) -> SQLFragment {
        let words = SearchTerms.queryWords(text)
        guard !words.isEmpty else { return "1 = 1" }
        switch dialect {
        case .sqlite:
            return """
                id IN (SELECT d.record_id FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                WHERE search_fts MATCH \(.text(ftsQuery(words, workspace: scope.workspaceID, prefix: true)))
                AND d.workspace_id = \(.uuid(scope.workspaceID)) AND d.entity = \(.text(entity.pluralName)))
                """
        case .postgres:
            return """
                id IN (SELECT m.record_id FROM crm_search_documents(\(.text(tsQuery(words, prefix: true))), \(.text(entity.pluralName)), NULL)
                  AS m(entity, record_id, title, subtitle, score))
                """
        }
    }

    /// How many of the newest matching documents each tier ranks for one search.
    static let candidateLimit = 200

    /// On SQLite every indexed term is prefixed with a workspace tag (`<12 hex>_term`; `_` is a
    /// token character there and never part of a query word), so a match reads only this
    /// workspace's postings — no intersection with a list of every document of the workspace.
    /// The tag is the random tail of the workspace id; the join on `workspace_id` stays the wall.
    static func workspaceTag(_ workspace: UUID) -> String {
        String(workspace.lowercased.suffix(12))
    }

    static func scoped(_ terms: String, workspace: UUID) -> String {
        let tag = workspaceTag(workspace) + "_"
        return terms.split(separator: " ").map { tag + $0 }.joined(separator: " ")
    }

    /// FTS5 query: every word required, any of its spellings, workspace-tagged; each a prefix
    /// when `prefix` (answered from the prefix indexes of migration 0007, one to six characters).
    static func ftsQuery(_ words: [[String]], workspace: UUID, prefix: Bool) -> String {
        let tag = workspaceTag(workspace) + "_"
        return words.map { spellings in
            let each = spellings.map { "\"" + tag + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "") }
            return each.count == 1 ? each[0] : "(" + each.joined(separator: " OR ") + ")"
        }.joined(separator: " AND ")
    }

    /// tsquery: terms are letters and digits only (`SearchTerms`), all words required, any
    /// spelling of each; each a prefix when `prefix`.
    static func tsQuery(_ words: [[String]], prefix: Bool) -> String {
        words.compactMap { spellings -> String? in
            let each = spellings.map { $0.filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty }.map { $0 + (prefix ? ":*" : "") }
            guard !each.isEmpty else { return nil }
            return each.count == 1 ? each[0] : "(" + each.joined(separator: " | ") + ")"
        }.joined(separator: " & ")
    }
}
