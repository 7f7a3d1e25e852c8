import CRMCore
import CRMStorage
import Foundation

/// Rebuilds a workspace's search documents and match keys from its records, a page at a time (after a change
/// to how documents are indexed).
public struct SearchReindexJob: Sendable {
    public static let kind = "search.reindex"
    /// Records per transaction. Rebuilding only keys and filter documents takes larger pages: each
    /// page's filter documents become one FTS5 segment, and fewer, larger segments merge for less.
    static let pageSize = 500
    static let keysPageSize = 5_000

    let database: any Database
    let metadata: MetadataService
    /// Only the duplicate check's match keys and the text filter index (on SQLite: the full-text
    /// rows, which hold the keys), not the search documents (after a bulk load that wrote those
    /// itself).
    let keysOnly: Bool

    public init(database: any Database, metadata: MetadataService, keysOnly: Bool = false) {
        self.database = database
        self.metadata = metadata
        self.keysOnly = keysOnly
    }

    @discardableResult
    public func run(workspaceID: UUID) async throws -> Int {
        let scope = AccessScope.system(workspaceID)
        let entities = try await metadata.entities(scope: scope)
        var indexed = 0
        for builtin in BuiltinEntities.all {
            guard let entity = entities[builtin.pluralName], let created = entity.field(named: "created_at") else { continue }
            var query = ListQuery()
            query.limit = keysOnly ? Self.keysPageSize : Self.pageSize
            query.sort = [SortKey(field: created, descending: true)]
            while true {
                let page = query
                let keysOnly = self.keysOnly
                let count = try await database.write(workspace: workspaceID, alone: true) { connection in
                    let (records, _) = try await RecordStore.list(query: page, entity: entity, scope: scope, on: connection)
                    if keysOnly {
                        let documents = records.map { ($0.id, SearchIndexing.document($0, entity: entity)) }
                        let rows = documents.flatMap { id, document in document.matchKeys.map { (id, $0) } }
                        try await MatchKeyStore.add(rows, entity: entity.pluralName, scope: scope, on: connection)
                        try await SearchIndexStore.replaceIndexTexts(documents, entity: entity.pluralName, scope: scope, on: connection)
                    } else {
                        for record in records {
                            try await SearchIndexing.index(record, old: nil, entity: entity, scope: scope, on: connection)
                        }
                    }
                    return (records.count, records.last)
                }
                indexed += count.0
                guard count.0 == page.limit, let last = count.1 else { break }
                query.after = Cursor(values: [.datetime(last.createdAt)], id: last.id)
            }
        }
        return indexed
    }
}
