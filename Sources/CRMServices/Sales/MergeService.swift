import CRMCore
import CRMStorage
import Foundation

/// Merges duplicates into one survivor: the caller picks, per field, which record's value
/// survives; empty fields of the survivor are filled from the others; records that referred to
/// the merged ones (contacts of a company, deals, activities, notes, links, follows) move to the
/// survivor through the ordinary write path; the merged records' history shows under the
/// survivor; the merged records go to the trash. All of it is one transaction, and it is kept in
/// `merges` so that restoring a merged record from the trash (or `POST /merges/{id}/undo`)
/// undoes it.
public struct MergeService: Sendable {
    let records: RecordService
    static let maximumMerged = 10
    static let allowedKeys: Set<String> = ["survivor_id", "merged_ids", "pick"]

    public struct Result: Sendable {
        public var survivor: EntityRecord
        public var merge: MergeEntry
    }

    public func merge(_ body: JSONValue, entity pluralName: String, scope: AccessScope) async throws -> Result {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        let request = try Self.parse(body, entity: entity)
        let (survivor, merge) = try await records.write(scope: scope) { writer in
            try await Self.perform(request, entity: entity, writer: writer)
        }
        return Result(survivor: EntityRecord(record: survivor, entity: entity, seenBy: scope), merge: merge)
    }

    public func undo(id: UUID, scope: AccessScope) async throws -> MergeEntry {
        try await records.write(scope: scope) { writer in
            guard let merge = try await MergeStore.find(id: id, scope: scope, on: writer.connection) else {
                throw CRMError.notFound("merge \(id.lowercased) does not exist")
            }
            guard merge.undoneAt == nil else {
                throw CRMError.conflict(code: "merge_undone", message: "merge \(id.lowercased) was already undone")
            }
            try await Self.undo(merge, writer: writer)
            var undone = merge
            undone.undoneAt = writer.now
            return undone
        }
    }

    // MARK: - Request

    struct Request: Sendable {
        var survivorID: UUID
        var mergedIDs: [UUID]
        /// Field name -> the record whose value survives.
        var picks: [String: UUID]
    }

    static func parse(_ body: JSONValue, entity: EntityDefinition) throws -> Request {
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)")
        }
        var issues: [ValidationIssue] = []
        for (key, _) in object where !allowedKeys.contains(key) {
            issues.append(ValidationIssue(field: key, code: "unknown_field", message: "a merge takes survivor_id, merged_ids and pick"))
        }
        let survivorID = object["survivor_id"]?.stringValue.flatMap(UUID.parse)
        if survivorID == nil {
            issues.append(
                ValidationIssue(field: "survivor_id", code: "required", message: "survivor_id must be the id of the record to keep"))
        }
        var mergedIDs: [UUID] = []
        if let items = object["merged_ids"]?.arrayValue, !items.isEmpty, items.count <= maximumMerged {
            for item in items {
                guard let id = item.stringValue.flatMap(UUID.parse) else {
                    issues.append(ValidationIssue(field: "merged_ids", code: "format", message: "merged_ids must hold record ids"))
                    break
                }
                if !mergedIDs.contains(id) { mergedIDs.append(id) }
            }
        } else {
            issues.append(
                ValidationIssue(
                    field: "merged_ids", code: "required",
                    message: "merged_ids must list 1 to \(maximumMerged) records to merge into the survivor"))
        }
        if let survivorID, mergedIDs.contains(survivorID) {
            issues.append(
                ValidationIssue(field: "merged_ids", code: "survivor_included", message: "merged_ids must not contain survivor_id"))
        }
        var picks: [String: UUID] = [:]
        if let pick = object["pick"] {
            if case .object(let fields) = pick {
                for (name, value) in fields {
                    guard let field = entity.field(named: name), !field.isSystem || field.name == "owner_id" else {
                        issues.append(
                            ValidationIssue(
                                field: "pick.\(name)", code: "unknown_field", message: "\(entity.name) has no field \(name) to pick"))
                        continue
                    }
                    guard let id = value.stringValue.flatMap(UUID.parse), id == survivorID || mergedIDs.contains(id) else {
                        issues.append(
                            ValidationIssue(
                                field: "pick.\(name)", code: "not_merged",
                                message: "pick.\(name) must be the id of the survivor or of one of the merged records"))
                        continue
                    }
                    picks[name] = id
                }
            } else {
                issues.append(ValidationIssue(field: "pick", code: "type", message: "pick must map field names to record ids"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return Request(survivorID: survivorID!, mergedIDs: mergedIDs, picks: picks)
    }

    // MARK: - Merge

    static func perform(_ request: Request, entity: EntityDefinition, writer: RecordWriter) async throws -> (Record, MergeEntry) {
        let scope = writer.scope
        var issues: [ValidationIssue] = []
        var loaded: [UUID: Record] = [:]
        for id in [request.survivorID] + request.mergedIDs {
            if let record = try await RecordStore.fetch(
                id: id, entity: entity, scope: scope, access: .visible(.read), forUpdate: true, on: writer.connection)
            {
                try await writer.authorize(.merge, record, entity: entity)
                loaded[id] = record
            } else {
                issues.append(
                    ValidationIssue(
                        field: id == request.survivorID ? "survivor_id" : "merged_ids", code: "not_found",
                        message: "\(id.lowercased) is not a live \(entity.name) of this workspace"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let survivor = loaded[request.survivorID]!
        let merged = request.mergedIDs.map { loaded[$0]! }

        // The survivor's new values: picks first, then empty fields filled from the merged records.
        var input: [String: FieldValue] = [:]
        for (name, source) in request.picks {
            input[name] = loaded[source]!.value(of: name)
        }
        for field in entity.fields where !field.isSystem && input[field.name] == nil && survivor.values[field.name] == nil {
            if let value = merged.lazy.compactMap({ $0.values[field.name] }).first { input[field.name] = value }
        }
        let tags = merged.reduce(into: survivor.tags) { tags, record in
            for tag in record.tags where !tags.contains(tag) { tags.append(tag) }
        }
        if tags != survivor.tags { input["tags"] = .list(tags) }
        var before = JSONObject()
        for name in input.keys.sorted() { before[name] = survivor.value(of: name).json }
        let updated = try await writer.apply(input, to: survivor, entity: entity, action: .merge)
        var after = JSONObject()
        for name in input.keys.sorted() { after[name] = updated.value(of: name).json }

        // Links touching the survivor before the merge; whatever the merge adds is undone with it
        // (moved links and those the write path adds, like a re-pointed contact's membership).
        let linksBefore = Set(try await LinkStore.touching(id: survivor.id, scope: scope, on: writer.connection).map(\.id))
        // Records that pointed at the merged ones now point at the survivor.
        var movedRecords: [JSONValue] = []
        for target in writer.entities.values.sorted(by: { $0.name < $1.name }) {
            for field in target.fields where field.type == .reference {
                let polymorphic = field.referenceEntity == nil
                guard field.referenceEntity == entity.name || (polymorphic && target.field(named: "parent_type") != nil) else { continue }
                for record in try await referring(
                    target, field: field, polymorphic: polymorphic, to: entity, ids: request.mergedIDs, writer: writer)
                {
                    guard let from = record.values[field.name]?.uuidValue else { continue }
                    _ = try await writer.apply([field.name: .uuid(survivor.id)], to: record, entity: target, action: .merge)
                    movedRecords.append([
                        "entity": .string(target.pluralName), "id": .string(record.id.lowercased), "field": .string(field.name),
                        "from": .string(from.lowercased),
                    ])
                }
            }
        }
        // Links and follows.
        var oldLinks: [JSONValue] = []
        for id in request.mergedIDs {
            for link in try await LinkStore.touching(id: id, scope: scope, on: writer.connection) {
                oldLinks.append(linkJSON(link))
                try await LinkStore.delete(id: link.id, scope: scope, on: writer.connection)
                var moved = link
                moved.id = UUIDv7.make(at: writer.now)
                if moved.fromID == id { moved.fromID = survivor.id }
                if moved.toID == id { moved.toID = survivor.id }
                moved.isPrimary = false
                let existing = try await LinkStore.from(kind: moved.kind, fromID: moved.fromID, scope: scope, on: writer.connection)
                if !existing.contains(where: { $0.toID == moved.toID }) {
                    try await LinkStore.insertExact(moved, scope: scope, on: writer.connection)
                }
            }
            try await FollowStore.move(entity: entity.pluralName, from: id, to: survivor.id, scope: scope, on: writer.connection)
        }
        // Followers (and an activity's participants) that moved open the survivor to them.
        try await SearchIndexing.refresh(entity: entity, id: survivor.id, scope: scope, on: writer.connection)
        for record in merged {
            _ = try await writer.delete(id: record.id, entity: entity, action: .merge)
        }
        // After the deletes, so the survivor's history shows the merged records' last entry too.
        try await AuditStore.setMergedInto(
            survivor.id, entity: entity.pluralName, recordIDs: request.mergedIDs, scope: scope, on: writer.connection)
        let newLinks: [JSONValue] = try await LinkStore.touching(id: survivor.id, scope: scope, on: writer.connection)
            .filter { !linksBefore.contains($0.id) }.map { .string($0.id.lowercased) }
        let merge = MergeEntry(
            id: UUIDv7.make(at: writer.now), entity: entity.pluralName, survivorID: survivor.id, mergedIDs: request.mergedIDs,
            survivor: ["before": .object(before), "after": .object(after)],
            moved: ["records": .array(movedRecords), "links": .array(oldLinks), "new_links": .array(newLinks)], createdAt: writer.now,
            createdBy: scope.userID)
        try await MergeStore.insert(merge, scope: scope, on: writer.connection)
        return (updated, merge)
    }

    /// Live records of `target` whose `field` holds one of `ids`.
    static func referring(
        _ target: EntityDefinition, field: FieldDefinition, polymorphic: Bool, to entity: EntityDefinition, ids: [UUID],
        writer: RecordWriter
    ) async throws -> [Record] {
        var query = ListQuery()
        query.limit = ListQuery.maximumLimit
        query.conditions = [FilterCondition(field: field, op: .in, values: ids.map { .uuid($0) })]
        if polymorphic, let parentType = target.field(named: "parent_type") {
            query.conditions.append(FilterCondition(field: parentType, op: .eq, values: [.text(entity.name)]))
        }
        if let idField = target.field(named: "id") { query.sort = [SortKey(field: idField, descending: false)] }
        var found: [Record] = []
        var page = try await RecordStore.list(query: query, entity: target, scope: writer.scope, on: writer.connection)
        found += page.records
        while let next = page.nextCursor, let cursor = CursorCoding.decode(next, sort: query.sort), found.count < 10_000 {
            query.after = cursor
            page = try await RecordStore.list(query: query, entity: target, scope: writer.scope, on: writer.connection)
            found += page.records
        }
        return found
    }

    // MARK: - Undo

    static func undo(_ merge: MergeEntry, writer: RecordWriter) async throws {
        let scope = writer.scope
        guard let entity = writer.entities[merge.entity] else { throw CRMError.unknownEntity(merge.entity) }
        for id in merge.mergedIDs {
            if try await RecordStore.fetch(
                id: id, entity: entity, scope: scope, access: .tenant, includeDeleted: true, on: writer.connection)?.deletedAt
                != nil
            {
                _ = try await writer.restore(id: id, entity: entity)
            }
        }
        try await AuditStore.setMergedInto(nil, entity: merge.entity, recordIDs: merge.mergedIDs, scope: scope, on: writer.connection)
        // Records moved to the survivor go back, unless someone has changed them since.
        for item in merge.moved["records"]?.arrayValue ?? [] {
            guard let target = item["entity"]?.stringValue.flatMap({ writer.entities[$0] }),
                let id = item["id"]?.stringValue.flatMap(UUID.parse), let field = item["field"]?.stringValue,
                let from = item["from"]?.stringValue.flatMap(UUID.parse),
                let record = try await RecordStore.fetch(
                    id: id, entity: target, scope: scope, access: .tenant, forUpdate: true, on: writer.connection),
                record.values[field]?.uuidValue == merge.survivorID
            else { continue }
            _ = try await writer.apply([field: .uuid(from)], to: record, entity: target, action: .merge)
        }
        for item in merge.moved["new_links"]?.arrayValue ?? [] {
            if let id = item.stringValue.flatMap(UUID.parse) { try await LinkStore.delete(id: id, scope: scope, on: writer.connection) }
        }
        for item in merge.moved["links"]?.arrayValue ?? [] {
            if let link = link(from: item) { try await LinkStore.insertExact(link, scope: scope, on: writer.connection) }
        }
        // The survivor's merged fields go back to what they were, where they still hold the merged value.
        if let survivor = try await RecordStore.fetch(
            id: merge.survivorID, entity: entity, scope: scope, access: .tenant, forUpdate: true, on: writer.connection),
            case .object(let before)? = merge.survivor["before"], case .object(let after)? = merge.survivor["after"]
        {
            var input: [String: FieldValue] = [:]
            for (name, old) in before {
                guard let field = entity.field(named: name), survivor.value(of: name).json == after[name],
                    case .success(let value) = field.decode(old)
                else { continue }
                input[name] = value
            }
            if !input.isEmpty { _ = try await writer.apply(input, to: survivor, entity: entity, action: .merge) }
        }
        try await MergeStore.markUndone(id: merge.id, at: writer.now, scope: scope, on: writer.connection)
    }

    static func linkJSON(_ link: RecordLink) -> JSONValue {
        [
            "id": .string(link.id.lowercased), "kind": .string(link.kind), "from_id": .string(link.fromID.lowercased),
            "to_entity": .string(link.toEntity), "to_id": .string(link.toID.lowercased), "role": link.role.map { .string($0) } ?? .null,
            "title": link.title.map { .string($0) } ?? .null, "is_primary": .bool(link.isPrimary),
            "created_at": .string(Timestamps.format(link.createdAt)), "created_by": link.createdBy.map { .string($0.lowercased) } ?? .null,
        ]
    }

    static func link(from json: JSONValue) -> RecordLink? {
        guard let id = json["id"]?.stringValue.flatMap(UUID.parse), let kind = json["kind"]?.stringValue,
            let fromID = json["from_id"]?.stringValue.flatMap(UUID.parse), let toEntity = json["to_entity"]?.stringValue,
            let toID = json["to_id"]?.stringValue.flatMap(UUID.parse)
        else { return nil }
        return RecordLink(
            id: id, kind: kind, fromID: fromID, toEntity: toEntity, toID: toID, role: json["role"]?.stringValue,
            title: json["title"]?.stringValue, isPrimary: json["is_primary"] == .bool(true),
            createdAt: json["created_at"]?.stringValue.flatMap(Timestamps.parse) ?? Date(),
            createdBy: json["created_by"]?.stringValue.flatMap(UUID.parse))
    }
}
