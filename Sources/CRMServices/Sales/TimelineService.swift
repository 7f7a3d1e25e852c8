import CRMCore
import CRMStorage
import Foundation

/// One View: everything that happened around a record, newest first — its history (creation,
/// field changes, conversion, merges), activities and notes attached to it, deal stage changes
/// with the time spent in the stage, and related records. A company's timeline also holds its
/// contacts' and deals' items; a contact's holds its deals'.
///
/// Every item's id is a UUIDv7 made when the item happened, so one `before` cursor pages all
/// sources at once.
public struct TimelineService: Sendable {
    let records: RecordService
    /// Related records followed into a timeline, at most.
    static let relatedLimit = 500

    public struct Page: Sendable {
        public var items: [JSONValue]
        public var nextCursor: String?
    }

    public func timeline(entity pluralName: String, id: UUID, limit: Int, before: UUID?, scope: AccessScope) async throws -> Page {
        let entities = try await records.metadata.entities(scope: scope)
        guard let entity = entities[pluralName] else { throw CRMError.unknownEntity(pluralName) }
        guard let activities = entities["activities"], let notes = entities["notes"], let contacts = entities["contacts"],
            let deals = entities["deals"]
        else { throw CRMError.unknownEntity("activities") }
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            guard let record = try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection)
            else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            // The records whose items belong on this timeline.
            var targets: [(UUID, EntityDefinition)] = [(record.id, entity)]
            func add(_ ids: [UUID], _ definition: EntityDefinition) {
                for id in ids where !targets.contains(where: { $0.0 == id }) { targets.append((id, definition)) }
            }
            switch entity.name {
            case "company":
                add(
                    try await RecordStore.ids(
                        entity: contacts, column: "company_id", equals: id, limit: Self.relatedLimit, scope: scope, access: .visible(.read),
                        on: connection),
                    contacts)
                add(
                    try await LinkStore.to(kind: RelationKind.contactCompany.rawValue, toID: id, scope: scope, on: connection).map(
                        \.fromID),
                    contacts)
                add(
                    try await RecordStore.ids(
                        entity: deals, column: "company_id", equals: id, limit: Self.relatedLimit, scope: scope, access: .visible(.read),
                        on: connection), deals)
            case "contact":
                add(
                    try await RecordStore.ids(
                        entity: deals, column: "contact_id", equals: id, limit: Self.relatedLimit, scope: scope, access: .visible(.read),
                        on: connection), deals)
                add(
                    try await LinkStore.to(kind: RelationKind.dealContact.rawValue, toID: id, scope: scope, on: connection).map(\.fromID),
                    deals)
            default: break
            }
            if scope.grants != nil {
                // Links do not ask about visibility: keep the related records the caller may read.
                var visible: Set<UUID> = [record.id]
                for definition in Set(targets.dropFirst().map(\.1.pluralName)).compactMap({ entities[$0] }) {
                    let wanted = targets.filter { $0.1.pluralName == definition.pluralName }.map(\.0)
                    for found in try await RecordStore.fetch(
                        ids: wanted, entity: definition, scope: scope, access: .visible(.read), on: connection)
                    {
                        visible.insert(found.id)
                    }
                }
                targets = targets.filter { visible.contains($0.0) }
            }
            let ids = targets.map(\.0)
            let fetch = limit + 1
            var items: [(UUID, JSONValue)] = []
            for stored in try await AuditStore.entries(recordIDs: ids, before: before, limit: fetch, scope: scope, on: connection) {
                let entry = HistoryService.hidingFields(stored, scope: scope)
                let own = entry.recordID == id
                items.append(
                    (
                        entry.id,
                        Self.item(
                            id: entry.id, kind: entry.action == "update" ? "field_change" : entry.action, at: entry.at,
                            entity: entry.entity, recordID: entry.recordID, title: entry.title, actorID: entry.actorID,
                            data: ["changes": entry.changes, "related": .bool(!own)])
                    ))
            }
            for (definition, kind) in [(activities, "activity"), (notes, "note")] {
                for child in try await Self.children(
                    of: ids, entity: definition, before: before, limit: fetch, scope: scope, on: connection)
                {
                    let parent = child.values["parent_id"]?.uuidValue ?? id
                    let kindName =
                        kind == "activity" ? (child.values["type"]?.plainText ?? kind) : (child.values["kind"]?.plainText ?? kind)
                    items.append(
                        (
                            child.id,
                            Self.item(
                                id: child.id, kind: kindName, at: child.createdAt, entity: definition.pluralName, recordID: child.id,
                                title: child.title(in: definition), actorID: child.createdBy,
                                data: [
                                    "record": child.json(in: definition.hiding(scope.hiddenFields(definition.pluralName))),
                                    "parent_id": .string(parent.lowercased),
                                    "related": .bool(parent != id),
                                ])
                        ))
                }
            }
            let dealIDs = targets.filter { $0.1.name == "deal" }.map(\.0)
            let now = Timestamps.now()
            for stay in try await StageHistoryStore.page(dealIDs: dealIDs, before: before, limit: fetch, scope: scope, on: connection) {
                items.append(
                    (
                        stay.id,
                        Self.item(
                            id: stay.id, kind: "stage_change", at: stay.enteredAt, entity: "deals", recordID: stay.dealID,
                            title: stay.stage,
                            actorID: stay.enteredBy, data: ["stage": stay.json(now: now), "related": .bool(stay.dealID != id)])
                    ))
            }
            items.sort { $0.0.lowercased > $1.0.lowercased }
            let page = Array(items.prefix(limit))
            let next = items.count > limit ? page.last.map { $0.0.lowercased } : nil
            return Page(items: page.map(\.1), nextCursor: next)
        }
    }

    /// Live activities or notes attached to any of `parents`, newest first.
    static func children(
        of parents: [UUID], entity: EntityDefinition, before: UUID?, limit: Int, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [Record] {
        guard let parentField = entity.field(named: "parent_id"), let idField = entity.field(named: "id") else { return [] }
        var query = ListQuery()
        query.limit = limit
        query.conditions = [FilterCondition(field: parentField, op: .in, values: parents.map { .uuid($0) })]
        query.sort = [SortKey(field: idField, descending: true)]
        if let before { query.after = Cursor(values: [.uuid(before)], id: before) }
        return try await RecordStore.list(query: query, entity: entity, scope: scope, on: connection).records
    }

    /// A deal's stays in its stages, oldest first.
    public func stages(dealID: UUID, scope: AccessScope) async throws -> [StageStay] {
        let deals = try await records.metadata.entity("deals", scope: scope)
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.exists(id: dealID, entity: deals, scope: scope, access: .visible(.read), on: connection) else {
                throw CRMError.recordNotFound(entity: "deals", id: dealID.lowercased)
            }
            return try await StageHistoryStore.stays(dealIDs: [dealID], scope: scope, on: connection)
        }
    }

    static func item(
        id: UUID, kind: String, at: Date, entity: String, recordID: UUID, title: String?, actorID: UUID?, data: JSONObject
    ) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id.lowercased), "kind": .string(kind), "at": .string(Timestamps.format(at)), "entity": .string(entity),
            "record_id": .string(recordID.lowercased), "title": title.map { .string($0) } ?? .null,
            "actor_id": actorID.map { .string($0.lowercased) } ?? .null,
        ]
        for (key, value) in data { object[key] = value }
        return .object(object)
    }
}
