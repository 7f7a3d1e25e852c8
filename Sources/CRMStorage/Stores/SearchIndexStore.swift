import CRMCore
import Foundation

/// What the index keeps of one record.
public struct SearchDocument: Sendable {
    public var title: String
    public var subtitle: String?
    public var terms: String
    /// SQLite's `starts` / `contains` filter document (`TextFold.document`).
    public var filterText: String
    /// The record's owner: one of the document's access terms (`SearchAccess`).
    public var ownerID: UUID?
    /// The duplicate check's keys (`MatchKeys`): SQLite keeps them as tokens of the document
    /// (`MatchKeyStore`).
    public var matchKeys: [String]

    public init(title: String, subtitle: String?, terms: String, filterText: String, ownerID: UUID? = nil, matchKeys: [String] = []) {
        self.title = title
        self.subtitle = subtitle
        self.terms = terms
        self.filterText = filterText
        self.ownerID = ownerID
        self.matchKeys = matchKeys
    }

    /// SQLite: what the full-text row's access column holds — the access terms and the match
    /// key tokens.
    func indexedAccess(_ access: String, entity: String, workspace: UUID) -> String {
        guard !matchKeys.isEmpty else { return access }
        return ([access] + matchKeys.map { MatchKeyStore.token($0, entity: entity, workspace: workspace) }).joined(separator: " ")
    }
}

/// Who may find a search document, written into the document itself (decision 0009): a caller
/// who sees part of the workspace asks the index for documents holding the words *and* one of
/// their access terms, so the index intersects the two and the scope applies before any limit,
/// bounded whatever the share of the workspace the caller sees. The terms:
/// - `o<owner>`: the record's owner;
/// - `e<entity>`: the entity (for a caller whose scope reaches every record of an entity);
/// - `g<user or team>`: whom the record is shared with, who follows it, which users take part in
///   it (an activity) — the grants besides ownership that open it for reading.
/// An id becomes its last 12 hex digits (the random tail of a UUIDv7). The terms narrow; they
/// never decide: every hit still passes the visibility condition, so a stale term (a share taken
/// back, a team deleted) costs a candidate, not a leak, and only a missing one could hide a record
/// — which is why every change of an owner, share, follow or participant rewrites the document.
/// Terms are shorter than 14 characters: SQLite's prefix indexes (14-19) leave them out.
public enum SearchAccess {
    /// More access terms than this in one query and the search does without them (a union of
    /// that many postings costs more than the visibility probes it would save).
    public static let maximumTerms = 120
    /// SQLite: up to this many terms go into the FTS5 query; beyond, each matching document's
    /// `search_documents.access` is checked instead. FTS5 advances every term of the union to each
    /// match of the words, and with 13 terms of 20,000 documents each (a team of 11 at a million
    /// contacts) that cost 14 ms of CPU a search.
    public static let indexedTerms = 4

    static func idTerm(_ kind: Character, _ id: UUID) -> String { String(kind) + String(id.lowercased.suffix(12)) }

    public static func ownerTerm(_ id: UUID) -> String { idTerm("o", id) }
    public static func grantTerm(_ id: UUID) -> String { idTerm("g", id) }
    public static func entityTerm(_ pluralName: String) -> String {
        "e" + pluralName.lowercased().filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// A document's access text: its owner, its entity and its grantees.
    public static func documentText(entity: String, ownerID: UUID?, grantees: [UUID]) -> String {
        var terms = [entityTerm(entity)]
        if let ownerID { terms.append(ownerTerm(ownerID)) }
        terms += Set(grantees.map(grantTerm)).sorted()
        return terms.joined(separator: " ")
    }

    /// The terms of which a document must hold one for the caller to possibly read it, over the
    /// entities searched; nil when the caller sees every record of them (no narrowing) or when
    /// there would be too many terms to be worth it.
    public static func queryTerms(scope: AccessScope, entities: [EntityDefinition]) -> [String]? {
        guard let grants = scope.grants else { return nil }
        var terms = Set<String>()
        var everything = true
        for entity in entities where scope.may(.read, on: entity.pluralName) {
            if let owners = grants.owners(entity.pluralName, .read) {
                everything = false
                terms.formUnion(owners.map(ownerTerm))
            } else {
                terms.insert(entityTerm(entity.pluralName))
            }
        }
        guard !everything else { return nil }
        terms.insert(grantTerm(grants.userID))
        terms.formUnion(grants.teamIDs.map(grantTerm))
        return terms.count <= maximumTerms ? terms.sorted() : nil
    }

    /// Who besides its owner may read a stored record: its shares' grantees, its followers and,
    /// for an activity, the users who take part.
    static func grantees(entity: String, id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID] {
        let workspace = SQLValue.uuid(scope.workspaceID)
        var sql: SQLFragment = """
            SELECT grantee_id AS grantee FROM record_shares WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id = \(.uuid(id))
            UNION SELECT user_id AS grantee FROM follows WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id = \(.uuid(id))
            """
        if entity == "activities" {
            sql.append(
                " UNION SELECT to_id AS grantee FROM record_links WHERE workspace_id = \(workspace) AND kind = \(.text(RelationKind.participant.rawValue)) AND from_id = \(.uuid(id)) AND to_entity = 'user'"
            )
        }
        return try await connection.query(sql).compactMap { $0.uuid("grantee") }
    }
}

/// The search index: SQLite FTS5 (contentless, rows keyed by `search_documents.doc_id`) or a
/// PostgreSQL tsvector with a GIN index. Both index the same terms (`SearchTerms`), written in
/// the same transaction as the record.
public enum SearchIndexStore {
    /// Writes a record's search document. On SQLite `filterText` (`TextFold.document`) goes to the
    /// trigram table that serves `starts` / `contains` filters, under the same document id;
    /// PostgreSQL's trigram index is an expression index over the record row itself.
    public static func upsert(
        _ document: SearchDocument, entity: String, id: UUID, isNew: Bool = false, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        let workspace = SQLValue.uuid(scope.workspaceID)
        let (title, subtitle, terms, filterText) = (document.title, document.subtitle, document.terms, document.filterText)
        // A new record has no shares, follows or participants yet.
        let grantees = isNew ? [] : try await SearchAccess.grantees(entity: entity, id: id, scope: scope, on: connection)
        let access = SearchAccess.documentText(entity: entity, ownerID: document.ownerID, grantees: grantees)
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
                    "UPDATE search_documents SET title = \(.text(title)), subtitle = \(.optional(subtitle)), access = \(.text(access)) WHERE doc_id = \(.int(docID))"
                )
            } else {
                let row = try await connection.first(
                    "INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle, access) VALUES (\(workspace), \(.text(entity)), \(.uuid(id)), \(.text(title)), \(.optional(subtitle)), \(.text(access))) RETURNING doc_id"
                )
                docID = row?.int("doc_id") ?? 0
            }
            try await insertFTS(
                "search_fts", rowid: docID, text: terms,
                access: document.indexedAccess(access, entity: entity, workspace: scope.workspaceID), on: connection)
            if !filterText.isEmpty { try await insertFTS("text_fts", rowid: docID, text: filterText, on: connection) }
        case .postgres:
            try await connection.execute(
                """
                INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle, terms, access)
                VALUES (\(workspace), \(.text(entity)), \(.uuid(id)), \(.text(title)), \(.optional(subtitle)), \(.text(terms)), \(.text(access)))
                ON CONFLICT (workspace_id, entity, record_id) DO UPDATE SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, terms = EXCLUDED.terms, access = EXCLUDED.access
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
        // New records: their owner and entity only (`SearchAccess`).
        let access = documents.map { SearchAccess.documentText(entity: entity, ownerID: $0.1.ownerID, grantees: []) }
        switch connection.dialect {
        case .sqlite:
            let base = try await connection.first("SELECT COALESCE(MAX(doc_id), 0) AS top FROM search_documents")?.int("top") ?? 0
            for start in stride(from: 0, to: documents.count, by: 4_000) {
                let chunk = documents[start..<min(documents.count, start + 4_000)]
                var sql: SQLFragment =
                    "INSERT INTO search_documents (doc_id, workspace_id, entity, record_id, title, subtitle, access) VALUES "
                sql.append(
                    SQLFragment.joined(
                        chunk.enumerated().map { offset, item in
                            "(\(.int(base + Int64(start + offset) + 1)), \(workspace), \(.text(entity)), \(.uuid(item.0)), \(.text(item.1.title)), \(.optional(item.1.subtitle)), \(.text(access[start + offset])))"
                        }, separator: ", "))
                try await connection.execute(sql)
            }
            for (offset, item) in documents.enumerated() {
                let docID = base + Int64(offset) + 1
                try await insertFTS(
                    "search_fts", rowid: docID, text: scoped(item.1.terms, workspace: scope.workspaceID),
                    access: item.1.indexedAccess(access[offset], entity: entity, workspace: scope.workspaceID), on: connection)
                if !item.1.filterText.isEmpty { try await insertFTS("text_fts", rowid: docID, text: item.1.filterText, on: connection) }
            }
        case .postgres:
            for start in stride(from: 0, to: documents.count, by: 4_000) {
                var sql: SQLFragment =
                    "INSERT INTO search_documents (workspace_id, entity, record_id, title, subtitle, terms, access) VALUES "
                sql.append(
                    SQLFragment.joined(
                        (start..<min(documents.count, start + 4_000)).map { index in
                            let item = documents[index]
                            return
                                "(\(workspace), \(.text(entity)), \(.uuid(item.0)), \(.text(item.1.title)), \(.optional(item.1.subtitle)), \(.text(item.1.terms)), \(.text(access[index])))"
                        }, separator: ", "))
                sql.append(
                    " ON CONFLICT (workspace_id, entity, record_id) DO UPDATE SET title = EXCLUDED.title, subtitle = EXCLUDED.subtitle, terms = EXCLUDED.terms, access = EXCLUDED.access"
                )
                try await connection.execute(sql)
            }
        }
    }

    /// SQLite: an FTS row goes to the transaction's buffer (written last, in bulk: `FTSBuffer`).
    /// `access` is the second column of `search_fts` (`SearchAccess`); `text_fts` has one.
    static func insertFTS(_ table: String, rowid: Int64, text: String, access: String? = nil, on connection: any DatabaseConnection)
        async throws
    {
        if let session = connection as? SQLiteSession, let fts = session.fts {
            fts.insert(table: table, rowid: rowid, text: text, access: access)
        } else if let access {
            try await connection.execute(
                "INSERT INTO \(raw: table) (rowid, terms, access) VALUES (\(.int(rowid)), \(.text(text)), \(.text(access)))")
        } else {
            try await connection.execute("INSERT INTO \(raw: table) (rowid, body) VALUES (\(.int(rowid)), \(.text(text)))")
        }
    }

    /// SQLite: removes an FTS row, or only its pending version when this transaction wrote it
    /// (the stored one, if any, was deleted before that was written).
    static func deleteFTS(_ table: String, rowid: Int64, on connection: any DatabaseConnection) async throws {
        if let session = connection as? SQLiteSession, let fts = session.fts, fts.remove(table: table, rowid: rowid) { return }
        try await connection.execute("DELETE FROM \(raw: table) WHERE rowid = \(.int(rowid))")
    }

    /// Rewrites the SQLite full-text rows of records whose search documents exist — their words
    /// with the match key tokens, and their filter documents — keeping the documents themselves
    /// (a reindex after a bulk load that wrote documents without keys). Nothing to do on
    /// PostgreSQL.
    public static func replaceIndexTexts(
        _ documents: [(UUID, SearchDocument)], entity: String, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        guard connection.dialect == .sqlite, !documents.isEmpty else { return }
        var lookup: SQLFragment =
            "SELECT record_id, doc_id, access FROM search_documents WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id IN ("
        lookup.append(SQLFragment.joined(documents.map { "\(.uuid($0.0))" }, separator: ", "))
        lookup.append(")")
        var stored: [UUID: (docID: Int64, access: String)] = [:]
        for row in try await connection.query(lookup) {
            if let id = row.uuid("record_id"), let docID = row.int("doc_id") { stored[id] = (docID, row.string("access") ?? "") }
        }
        // One DELETE per table for the page (a statement per row made FTS5 flush and merge
        // between them).
        let docIDs = documents.compactMap { stored[$0.0]?.docID }
        for table in ["search_fts", "text_fts"] {
            for start in stride(from: 0, to: docIDs.count, by: 5_000) {
                var delete: SQLFragment = "DELETE FROM \(raw: table) WHERE rowid IN ("
                delete.append(SQLFragment.joined(docIDs[start..<min(docIDs.count, start + 5_000)].map { "\(.int($0))" }, separator: ", "))
                delete.append(")")
                try await connection.execute(delete)
            }
        }
        for (id, document) in documents {
            guard let (docID, access) = stored[id] else { continue }
            try await insertFTS(
                "search_fts", rowid: docID, text: scoped(document.terms, workspace: scope.workspaceID),
                access: document.indexedAccess(access, entity: entity, workspace: scope.workspaceID), on: connection)
            if !document.filterText.isEmpty { try await insertFTS("text_fts", rowid: docID, text: document.filterText, on: connection) }
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
    /// may read; it applies inside each tier, before the tier's limit. `access`
    /// (`SearchAccess.queryTerms`) has the index itself keep to documents holding one of the
    /// caller's access terms first, so the tier reads about as many documents as an
    /// administrator's; without it, every match of the words is probed.
    ///
    /// `readable` are the entities the caller may read (with `access`, PostgreSQL checks the
    /// candidates entity by entity: `visibleCandidates`).
    public static func search(
        text: String, entities: [String]?, limit: Int, scope: AccessScope, visible: SQLFragment?, access: [String]? = nil,
        readable: [EntityDefinition] = [], on connection: any DatabaseConnection
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
            // bm25 weighs the words only: the access column (`SearchAccess`) counts for nothing.
            let rank = "bm25(search_fts, 1.0, 0.0)"
            func tier(_ exact: Bool) -> SQLFragment {
                var match = ftsQuery(words, workspace: scope.workspaceID, prefix: !exact)
                guard let visible else {
                    return """
                        SELECT * FROM (SELECT rowid AS doc_id, \(raw: exact ? "0" : "1") AS tier, \(raw: exact ? rank : "0.0") AS score FROM search_fts
                        WHERE search_fts MATCH \(.text(match))
                        ORDER BY rowid DESC LIMIT \(raw: cap))
                        """
                }
                // A caller who sees part of the workspace: the documents are joined inside the
                // tier, so its limit counts only what they may read (the visibility condition
                // decides). With a few access terms the index itself keeps to documents holding
                // one; with more, each matching document's own access text is checked before the
                // visibility probes (`SearchAccess.indexedTerms`).
                var narrowing: SQLFragment?
                if let access {
                    if access.count <= SearchAccess.indexedTerms {
                        match += " AND (" + access.map { "\"" + $0 + "\"" }.joined(separator: " OR ") + ")"
                    } else {
                        narrowing =
                            "(" + SQLFragment.joined(access.map { "instr(d.access, \(.text($0))) > 0" }, separator: " OR ") + ") AND "
                    }
                }
                var part: SQLFragment = """
                    SELECT * FROM (SELECT search_fts.rowid AS doc_id, \(raw: exact ? "0" : "1") AS tier, \(raw: exact ? rank : "0.0") AS score
                    FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
                    WHERE search_fts MATCH \(.text(match)) AND d.workspace_id = \(workspace) AND
                    """
                part.append(" ")
                if let narrowing { part.append(narrowing) }
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
            // The access terms (`SearchAccess`) go to the look-up as a second tsquery, which the
            // GIN index answers with the words; the rank counts the words only.
            let accessQuery: SQLValue = access.map { .text($0.joined(separator: " | ")) } ?? .null
            if visible != nil, access != nil {
                return try await visibleCandidates(
                    words: words, accessQuery: accessQuery, entities: entities, limit: limit, scope: scope, readable: readable,
                    on: connection)
            }
            func tier(_ exact: Bool) -> SQLFragment {
                let query = tsQuery(words, prefix: !exact)
                let entitiesText: SQLValue = entities.map { .text($0.joined(separator: ",")) } ?? .null
                let cap: SQLValue = visible == nil || access != nil ? .int(Int64(candidateLimit)) : .null
                var part: SQLFragment = """
                    (SELECT d.entity, d.record_id, d.title, d.subtitle, \(raw: exact ? "0" : "1") AS tier, d.score
                    FROM crm_search_documents(\(.text(query)), \(accessQuery), \(entitiesText), \(cap)) AS d(entity, record_id, title, subtitle, score)
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

    /// PostgreSQL, a caller with access terms: the candidates of both tiers (at most
    /// `candidateLimit` each, already narrowed by the terms) in one statement, then the
    /// visibility condition of each entity among them in one small statement per entity, and the
    /// survivors ranked as the one-statement search ranks them. One statement holding the
    /// visibility conditions of every entity for both tiers took 7-16 ms to plan, more than its
    /// execution (`log_min_duration_statement`, 20,000 contacts).
    static func visibleCandidates(
        words: [[String]], accessQuery: SQLValue, entities: [String]?, limit: Int, scope: AccessScope, readable: [EntityDefinition],
        on connection: any DatabaseConnection
    ) async throws -> [SearchHit] {
        let entitiesText: SQLValue = entities.map { .text($0.joined(separator: ",")) } ?? .null
        var sql: SQLFragment = ""
        for exact in [true, false] {
            if !exact { sql.append(" UNION ALL ") }
            sql.append(
                """
                SELECT d.entity, d.record_id, d.title, d.subtitle, \(raw: exact ? "0" : "1") AS tier, d.score
                FROM crm_search_documents(\(.text(tsQuery(words, prefix: !exact))), \(accessQuery), \(entitiesText), \(.int(Int64(candidateLimit))))
                  AS d(entity, record_id, title, subtitle, score)
                """)
        }
        struct Candidate {
            var title: String
            var subtitle: String?
            var tier: Int64
            var score: Double
        }
        var candidates: [String: [UUID: Candidate]] = [:]
        for row in try await connection.query(sql) {
            guard let entity = row.string("entity"), let id = row.uuid("record_id") else { continue }
            let tier = row.int("tier") ?? 1
            let score = row.double("score") ?? 0
            if var known = candidates[entity]?[id] {
                known.tier = min(known.tier, tier)
                known.score = max(known.score, score)
                candidates[entity]?[id] = known
            } else {
                candidates[entity, default: [:]][id] = Candidate(
                    title: row.string("title") ?? "", subtitle: row.string("subtitle"), tier: tier, score: score)
            }
        }
        var hits: [(hit: SearchHit, tier: Int64, score: Double)] = []
        for entity in readable {
            guard let found = candidates[entity.pluralName], !found.isEmpty else { continue }
            var check: SQLFragment =
                "SELECT id FROM \(raw: entity.table) WHERE \(RecordQueryCompiler.condition(scope: scope, entity: entity, access: .visible(.read))) AND id IN ("
            check.append(SQLFragment.joined(found.keys.map { "\(.uuid($0))" }, separator: ", "))
            check.append(")")
            for row in try await connection.query(check) {
                guard let id = row.uuid("id"), let candidate = found[id] else { continue }
                let hit = SearchHit(
                    entity: entity.pluralName, id: id, title: candidate.title, subtitle: candidate.subtitle,
                    score: candidate.score - Double(candidate.tier) * 1_000)
                hits.append((hit, candidate.tier, candidate.score))
            }
        }
        // As the one-statement search orders: tier, then score (higher first), then id (later first).
        hits.sort { a, b in
            if a.tier != b.tier { return a.tier < b.tier }
            if a.score != b.score { return a.score > b.score }
            return a.hit.id.lowercased > b.hit.id.lowercased
        }
        return hits.prefix(limit).map(\.hit)
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
                id IN (SELECT m.record_id FROM crm_search_documents(\(.text(tsQuery(words, prefix: true))), NULL, \(.text(entity.pluralName)), NULL)
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
