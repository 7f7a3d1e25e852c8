import CRMCore
import CRMStorage
import Foundation

/// Cross-entity search, grouped by entity.
public struct SearchService: Sendable {
    let database: any Database
    let metadata: MetadataService

    public init(database: any Database, metadata: MetadataService) {
        self.database = database
        self.metadata = metadata
    }

    public func search(_ text: String, entities: [String]?, limit: Int, scope: AccessScope) async throws -> [SearchHit] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw CRMError.validation([ValidationIssue(field: "q", code: "length", message: "q must be 1 to 200 characters")])
        }
        guard (1...100).contains(limit) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 100")])
        }
        let known = try await metadata.entities(scope: scope)
        if let entities {
            guard !entities.isEmpty else {
                throw CRMError.validation([
                    ValidationIssue(field: "entity", code: "required", message: "entity must name one or more entities")
                ])
            }
            for entity in entities where known[entity] == nil { throw CRMError.unknownEntity(entity) }
        }
        let visible = RecordQueryCompiler.recordRowsVisibility(
            scope: scope, entities: Array(known.values), entityColumn: "d.entity", idColumn: "d.record_id")
        let searched = entities.map { names in names.compactMap { known[$0] } } ?? Array(known.values)
        let access = SearchAccess.queryTerms(scope: scope, entities: searched)
        let hits = try await database.read(workspace: scope.workspaceID) { connection in
            try await SearchIndexStore.search(
                text: trimmed, entities: entities, limit: limit, scope: scope, visible: visible, access: access,
                readable: searched.filter { scope.may(.read, on: $0.pluralName) }, on: connection)
        }
        guard scope.grants != nil else { return hits }
        let found = try await matchingVisibleFields(hits, text: trimmed, known: known, scope: scope)
        // Titles and subtitles are stored whole; one that may hold a field hidden from the
        // caller is left out of their answer.
        return found.map { hit in
            guard let entity = known[hit.entity] else { return hit }
            let hidden = scope.hiddenFields(hit.entity)
            guard !hidden.isEmpty else { return hit }
            var hit = hit
            if !hidden.isDisjoint(with: entity.titleFields) { hit.title = "" }
            let subtitleSources = entity.fields.filter { $0.type == .email || $0.type == .phone || $0.name == "company_name" }
            if subtitleSources.contains(where: { hidden.contains($0.name) }) { hit.subtitle = nil }
            return hit
        }
    }
}

extension SearchService {
    /// The index holds the terms of every field of a record; a field hidden from the caller must
    /// not find the record for them (searching by a hidden e-mail would tell that the record has
    /// it). For each entity whose hidden fields feed the index, the hits are checked against the
    /// terms of the fields the caller sees — every word of the query must start one of them, as
    /// the index's prefix tier would — and the others are left out (the answer may then hold
    /// fewer than `limit` hits). Entities without such fields are not touched.
    func matchingVisibleFields(_ hits: [SearchHit], text: String, known: [String: EntityDefinition], scope: AccessScope)
        async throws -> [SearchHit]
    {
        var checked: [String: (entity: EntityDefinition, seen: EntityDefinition)] = [:]
        for name in Set(hits.map(\.entity)) {
            guard let entity = known[name] else { continue }
            let hidden = scope.hiddenFields(name)
            let feeding = entity.fields.filter { $0.type == .phone || $0.type == .email || $0.isSearchable }.map(\.name)
            if !hidden.isDisjoint(with: feeding) { checked[name] = (entity, entity.hiding(hidden)) }
        }
        guard !checked.isEmpty else { return hits }
        let toCheck = checked
        let words = SearchTerms.queryWords(text).map { $0.map(Self.folded) }
        let kept = try await database.read(workspace: scope.workspaceID) { connection in
            var kept = Set<UUID>()
            for (name, views) in toCheck {
                let ids = hits.filter { $0.entity == name }.map(\.id)
                for record in try await RecordStore.fetch(
                    ids: ids, entity: views.entity, scope: scope, access: .visible(.read), on: connection)
                {
                    let terms = SearchIndexing.document(record, entity: views.seen).terms.split(separator: " ").map {
                        Self.folded(String($0))
                    }
                    let matches = words.allSatisfy { spellings in
                        spellings.contains { spelling in terms.contains { $0.hasPrefix(spelling) } }
                    }
                    if matches { kept.insert(record.id) }
                }
            }
            return kept
        }
        return hits.filter { checked[$0.entity] == nil || kept.contains($0.id) }
    }

    /// Lower case without diacritics, as the index's tokenizer compares.
    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}

/// History of one record or of the whole workspace, and the trash.
public struct HistoryService: Sendable {
    let database: any Database
    let metadata: MetadataService

    public init(database: any Database, metadata: MetadataService) {
        self.database = database
        self.metadata = metadata
    }

    public func history(_ filter: AuditFilter, scope: AccessScope) async throws -> [AuditEntry] {
        if let entity = filter.entity { _ = try await metadata.entity(entity, scope: scope) }
        guard (1...500).contains(filter.limit) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 500")])
        }
        let entities = try await metadata.entities(scope: scope)
        let visible = RecordQueryCompiler.recordRowsVisibility(
            scope: scope, entities: Array(entities.values), entityColumn: "audit_log.entity", idColumn: "audit_log.record_id")
        let entries = try await database.read(workspace: scope.workspaceID) { connection in
            try await AuditStore.list(filter, scope: scope, visible: visible, on: connection)
        }
        return entries.map { Self.hidingFields($0, scope: scope) }
    }

    /// History of one live or trashed record; 404 when the record does not exist for the caller.
    public func recordHistory(id: UUID, entity pluralName: String, limit: Int, before: UUID?, scope: AccessScope) async throws
        -> [AuditEntry]
    {
        let entity = try await metadata.entity(pluralName, scope: scope)
        let exists = try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .visible(.read), includeDeleted: true, on: connection)
                != nil
        }
        guard exists else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
        return try await history(AuditFilter(entity: pluralName, recordID: id, before: before, limit: limit), scope: scope)
    }

    /// An entry's changes without the fields hidden from the caller.
    static func hidingFields(_ entry: AuditEntry, scope: AccessScope) -> AuditEntry {
        let hidden = scope.hiddenFields(entry.entity)
        guard !hidden.isEmpty, case .object(let changes) = entry.changes else { return entry }
        var entry = entry
        var kept = JSONObject()
        for (key, value) in changes where !hidden.contains(key) { kept.append(key, value) }
        entry.changes = .object(kept)
        return entry
    }

    public struct TrashItem: Sendable {
        public var entity: EntityDefinition
        public var record: Record
    }

    /// Everything in the trash (or one entity's), most recently deleted first.
    public func trash(entity pluralName: String?, limit: Int, scope: AccessScope) async throws -> [TrashItem] {
        let all = try await metadata.entities(scope: scope)
        let entities: [EntityDefinition]
        if let pluralName {
            guard let entity = all[pluralName] else { throw CRMError.unknownEntity(pluralName) }
            entities = [entity]
        } else {
            entities = BuiltinEntities.all.compactMap { all[$0.pluralName] }
        }
        let items = try await database.read(workspace: scope.workspaceID) { connection in
            var items: [TrashItem] = []
            for entity in entities {
                for record in try await RecordStore.trashed(
                    entity: entity, scope: scope, access: .visible(.read), limit: limit, on: connection)
                {
                    items.append(TrashItem(entity: entity.hiding(scope.hiddenFields(entity.pluralName)), record: record))
                }
            }
            return items
        }
        return Array(items.sorted { ($0.record.deletedAt ?? .distantPast) > ($1.record.deletedAt ?? .distantPast) }.prefix(limit))
    }
}
