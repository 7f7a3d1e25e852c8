import CRMCore
import CRMStorage
import Foundation

/// What a record contributes to the cross-entity search and to the duplicate check's match keys.
enum SearchIndexing {
    /// Indexes a record written in this transaction. `old` is its state before the write (nil for
    /// a new or restored record): only the match keys that changed are written. `isNew` says no
    /// search document exists yet.
    static func index(
        _ record: Record, old: Record?, isNew: Bool = false, entity: EntityDefinition, scope: AccessScope,
        on connection: any DatabaseConnection
    ) async throws {
        let document = document(record, entity: entity)
        try await SearchIndexStore.upsert(document, entity: entity.pluralName, id: record.id, isNew: isNew, scope: scope, on: connection)
        // SQLite's keys went with the document.
        guard MatchKeyStore.keptApart(connection.dialect) else { return }
        let keys = document.matchKeys
        let oldKeys = old.map { DuplicateService.storedKeys($0, entity: entity) } ?? []
        let removed = Set(oldKeys).subtracting(keys)
        let added = old == nil ? keys : keys.filter { !oldKeys.contains($0) }
        try await MatchKeyStore.remove(removed.sorted(), entity: entity.pluralName, id: record.id, scope: scope, on: connection)
        try await MatchKeyStore.add(added, entity: entity.pluralName, id: record.id, scope: scope, on: connection)
    }

    /// Indexes many records created in this transaction, a few thousand rows per statement.
    static func indexNew(_ records: [Record], entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        let documents = records.map { ($0.id, document($0, entity: entity)) }
        try await SearchIndexStore.insertNew(documents, entity: entity.pluralName, scope: scope, on: connection)
        let keys = documents.flatMap { id, document in document.matchKeys.map { (id, $0) } }
        try await MatchKeyStore.add(keys, entity: entity.pluralName, scope: scope, on: connection)
    }

    /// A record's search document, filter text and match keys.
    static func document(_ record: Record, entity: EntityDefinition) -> SearchDocument {
        var text: [String] = [record.number]
        var phones: [String] = []
        var emails: [String] = []
        for field in entity.fields {
            guard let value = record.values[field.name], let plain = value.plainText else { continue }
            switch field.type {
            case .phone: phones.append(plain)
            case .email: emails.append(plain)
            default: if field.isSearchable { text.append(plain) }
            }
        }
        let subtitle =
            (emails + phones).first ?? entity.fields.first { $0.name == "company_name" }.flatMap { record.values[$0.name]?.plainText }
        return SearchDocument(
            title: record.title(in: entity), subtitle: subtitle, terms: SearchTerms.document(text: text, phones: phones, emails: emails),
            filterText: filterText(record, entity: entity), ownerID: record.ownerID,
            matchKeys: DuplicateService.storedKeys(record, entity: entity))
    }

    /// Rewrites the search document of a stored record after a change of who may read it besides
    /// its owner (a share, a follow, a participant: `SearchAccess`). Nothing for a trashed record.
    static func refresh(entity: EntityDefinition, id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        guard let record = try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .tenant, on: connection) else {
            return
        }
        // Its match keys do not change: the record is its own old state.
        try await index(record, old: record, entity: entity, scope: scope, on: connection)
    }

    /// The record's text values for the `starts` / `contains` filter index (`TextFold.document`).
    static func filterText(_ record: Record, entity: EntityDefinition) -> String {
        TextFold.document(
            entity.fields.compactMap { field in
                guard TextFold.isIndexed(field.type), let text = record.values[field.name]?.plainText else { return nil }
                return (field.name, text)
            })
    }

    /// Takes a record out of search and the match keys (it went to the trash).
    static func remove(_ record: Record, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await SearchIndexStore.remove(entity: entity.pluralName, id: record.id, scope: scope, on: connection)
        // SQLite's keys went with the document.
        guard MatchKeyStore.keptApart(connection.dialect) else { return }
        try await MatchKeyStore.remove(
            DuplicateService.storedKeys(record, entity: entity), entity: entity.pluralName, id: record.id, scope: scope, on: connection)
    }
}
