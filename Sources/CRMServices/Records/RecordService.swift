import CRMCore
import CRMStorage
import Foundation

/// The one path every record write takes: validate, check access and references, write, record
/// history, keep the search index in step — all in one transaction. Automation hooks attach here.
public struct RecordService: Sendable {
    let database: any Database
    let metadata: MetadataService

    public init(database: any Database, metadata: MetadataService) {
        self.database = database
        self.metadata = metadata
    }

    /// Runs `body` with a writer in one transaction over the workspace's current metadata.
    /// `now` is the writes' time (jobs pass theirs).
    func write<T: Sendable>(
        scope: AccessScope, now: Date? = nil, alone: Bool = false, _ body: @escaping @Sendable (RecordWriter) async throws -> T
    ) async throws -> T {
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        let entities = try await metadata.entities(scope: scope)
        return try await database.write(workspace: scope.workspaceID, alone: alone) { connection in
            try await body(RecordWriter(scope: scope, connection: connection, now: now ?? Timestamps.now(), entities: entities))
        }
    }

    /// An entity as stored (what the writer works with) and as the caller sees it (hidden
    /// fields left out: what bodies are checked against and answers are written with).
    func views(_ pluralName: String, scope: AccessScope) async throws -> (entity: EntityDefinition, visible: EntityDefinition) {
        let entity = try await metadata.entity(pluralName, scope: scope)
        return (entity, entity.hiding(scope.hiddenFields(entity.pluralName)))
    }

    /// Validates a body as the caller sees the entity: hidden fields are unknown to them, and
    /// read-only ones may not be sent.
    static func validate(_ body: JSONValue, visible: EntityDefinition, mode: RecordInput.Mode, scope: AccessScope) throws
        -> [String: FieldValue]
    {
        let input = try RecordInput.validate(body, for: visible, mode: mode).get()
        let readOnly = scope.readOnlyFields(visible.pluralName).intersection(input.keys)
        if !readOnly.isEmpty {
            throw CRMError.validation(
                readOnly.sorted().map { ValidationIssue(field: $0, code: "read_only", message: "\($0) is read-only for you") })
        }
        return input
    }

    public func create(_ body: JSONValue, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let input = try Self.validate(body, visible: visible, mode: .create, scope: scope)
        let record = try await write(scope: scope) { writer in try await writer.create(input, entity: entity) }
        return EntityRecord(record: record, entity: visible)
    }

    /// Creates many records in one transaction, through the same writer as single creates: all
    /// are validated first (issues name the row, `rows[3].email`), then all are written or none.
    /// What a batch created, in order, and for each record its likely duplicates (ids and
    /// reasons) among the workspace's records and the batch itself.
    public struct BatchResult: Sendable {
        public var records: [EntityRecord]
        public var duplicates: [[UUID: Set<String>]]
    }

    public func createMany(_ bodies: [JSONValue], entity pluralName: String, scope: AccessScope) async throws -> BatchResult {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let readOnly = scope.readOnlyFields(pluralName)
        var inputs: [[String: FieldValue]] = []
        var issues: [ValidationIssue] = []
        inputs.reserveCapacity(bodies.count)
        for (index, body) in bodies.enumerated() {
            switch RecordInput.validate(body, for: visible, mode: .create) {
            case .success(let input):
                for name in readOnly.intersection(input.keys).sorted() {
                    issues.append(
                        ValidationIssue(field: "rows[\(index)].\(name)", code: "read_only", message: "\(name) is read-only for you"))
                }
                inputs.append(input)
            case .failure(.validation(let rowIssues)):
                issues += rowIssues.map { ValidationIssue(field: "rows[\(index)].\($0.field)", code: $0.code, message: $0.message) }
            case .failure(.badRequest(let code, let message)):
                issues.append(ValidationIssue(field: "rows[\(index)]", code: code, message: message))
            case .failure(let error): throw error
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let written = inputs
        let (records, duplicates) = try await write(scope: scope, alone: true) { writer in
            let records = try await writer.createMany(written, entity: entity)
            var duplicates = try await DuplicateService.keyMatches(of: records, entity: entity, scope: scope, on: writer.connection)
            if scope.grants != nil {
                // Only duplicates the caller may read are named (an id is itself a disclosure).
                let named = Array(Set(duplicates.flatMap(\.keys)))
                let visible = Set(
                    try await RecordStore.fetch(ids: named, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
                        .map(\.id))
                duplicates = duplicates.map { $0.filter { visible.contains($0.key) } }
            }
            return (records, duplicates)
        }
        return BatchResult(records: records.map { EntityRecord(record: $0, entity: visible) }, duplicates: duplicates)
    }

    /// A new record with another record's values (system fields and links excluded), `overrides`
    /// applied on top. A copied lead starts again as `new`.
    public func copy(id: UUID, overrides body: JSONValue?, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let overrides = try body.map { try Self.validate($0, visible: visible, mode: .update, scope: scope) } ?? [:]
        let record = try await write(scope: scope) { writer in
            guard
                let source = try await RecordStore.fetch(
                    id: id, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
            else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            var input: [String: FieldValue] = [:]
            // Only what the caller can see is copied (a hidden value stays with its record).
            for field in visible.fields where !field.isSystem { input[field.name] = source.values[field.name] }
            if entity.name == "lead" {
                input["status"] = .text("new")
                input["junk_reason"] = nil
            }
            if entity.name == "activity" { input["repeat"] = nil }
            if !source.tags.isEmpty { input["tags"] = .list(source.tags) }
            for (name, value) in overrides { input[name] = value }
            return try await writer.create(input, entity: entity)
        }
        return EntityRecord(record: record, entity: visible)
    }

    public func get(id: UUID, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let record = try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection)
        }
        guard let record else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
        return EntityRecord(record: record, entity: visible)
    }

    /// A record's API form as JSON bytes and its version (the single read a client makes most).
    public func getJSON(id: UUID, entity pluralName: String, scope: AccessScope) async throws -> (json: [UInt8], version: Int64) {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let found = try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.fetchJSON(id: id, entity: entity, visible: visible, scope: scope, access: .visible(.read), on: connection)
        }
        guard let found else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
        return found
    }

    /// Applies a partial update. `expectedVersion` (from If-Match) must equal the stored version.
    public func update(_ body: JSONValue, id: UUID, expectedVersion: Int64?, entity pluralName: String, scope: AccessScope)
        async throws -> EntityRecord
    {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let input = try Self.validate(body, visible: visible, mode: .update, scope: scope)
        let updated = try await write(scope: scope) { writer in
            try await writer.update(id: id, input: input, expectedVersion: expectedVersion, entity: entity)
        }
        return EntityRecord(record: updated, entity: visible)
    }

    /// What a bulk action did: how many records it changed, and why the others were not.
    public struct BulkResult: Sendable {
        public var changed = 0
        public var refused: [(id: UUID, error: CRMError)] = []
    }

    /// The same change to many records (assign an owner, set a status or stage, add a tag) or
    /// their deletion, each through the one writer with its own checks: a record the caller may
    /// not change is refused and counted, the others go ahead. At most 500 a call.
    public func bulk(_ change: BulkChange, ids: [UUID], entity pluralName: String, scope: AccessScope) async throws -> BulkResult {
        guard ids.count <= 500 else {
            throw CRMError.validation([ValidationIssue(field: "ids", code: "range", message: "a bulk action takes at most 500 records")])
        }
        var result = BulkResult()
        for id in Array(Set(ids)).sorted(by: { $0.lowercased < $1.lowercased }) {
            do {
                switch change {
                case .delete: try await delete(id: id, entity: pluralName, scope: scope)
                case .set(let body): _ = try await update(body, id: id, expectedVersion: nil, entity: pluralName, scope: scope)
                case .addTag(let tag):
                    let record = try await get(id: id, entity: pluralName, scope: scope).record
                    guard !record.tags.contains(tag) else { continue }
                    _ = try await update(
                        ["tags": .array((record.tags + [tag]).map { .string($0) })], id: id, expectedVersion: record.version,
                        entity: pluralName, scope: scope)
                }
                result.changed += 1
            } catch let error as CRMError {
                // A validation problem is the same for every record: say it once, as the whole
                // action's.
                if case .validation = error, result.changed == 0, result.refused.isEmpty { throw error }
                result.refused.append((id, error))
            }
        }
        return result
    }

    public enum BulkChange: Sendable {
        case set(JSONValue)
        case addTag(String)
        case delete
    }

    /// Moves a record to the trash.
    public func delete(id: UUID, entity pluralName: String, scope: AccessScope) async throws {
        let entity = try await metadata.entity(pluralName, scope: scope)
        _ = try await write(scope: scope) { writer in try await writer.delete(id: id, entity: entity) }
    }

    /// Brings a record back from the trash. A record that went there in a merge brings the whole
    /// merge back (see `MergeService.undo`).
    public func restore(id: UUID, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let record = try await write(scope: scope) { writer in
            if let merge = try await MergeStore.active(mergedID: id, entity: entity.pluralName, scope: scope, on: writer.connection) {
                guard
                    let trashed = try await RecordStore.fetch(
                        id: id, entity: entity, scope: scope, access: .visible(.read), includeDeleted: true, on: writer.connection)
                else { throw CRMError.recordNotFound(entity: "trash/\(pluralName)", id: id.lowercased) }
                try await writer.authorize(.merge, trashed, entity: entity)
                try await MergeService.undo(merge, writer: writer)
                guard
                    let record = try await RecordStore.fetch(
                        id: id, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
                else {
                    throw CRMError.recordNotFound(entity: "trash/\(pluralName)", id: id.lowercased)
                }
                return record
            }
            return try await writer.restore(id: id, entity: entity)
        }
        return EntityRecord(record: record, entity: visible)
    }

    /// The entity as the caller sees it (hidden fields left out): pages parse list queries
    /// against it and show its fields.
    public func visibleEntity(_ pluralName: String, scope: AccessScope) async throws -> EntityDefinition {
        try await views(pluralName, scope: scope).visible
    }

    /// A page of records as values (what the web pages render).
    public struct Page: Sendable {
        public var records: [Record]
        public var nextCursor: String?
        public var total: Int?
    }

    /// A page of the records the caller may read, `query` parsed against `visibleEntity`; the
    /// values of fields hidden from the caller are not in the records.
    public func list(_ query: ListQuery, entity pluralName: String, scope: AccessScope) async throws -> Page {
        let (entity, visible) = try await views(pluralName, scope: scope)
        let hidden = scope.hiddenFields(pluralName)
        return try await database.read(workspace: scope.workspaceID) { connection in
            var page = try await RecordStore.list(query: query, entity: entity, scope: scope, on: connection)
            if !hidden.isEmpty {
                page.records = page.records.map { record in
                    var record = record
                    record.values = record.values.filter { visible.field(named: $0.key) != nil }
                    return record
                }
            }
            let total = query.includeCount ? try await RecordStore.count(query: query, entity: entity, scope: scope, on: connection) : nil
            return Page(records: page.records, nextCursor: page.nextCursor, total: total)
        }
    }

    /// How many records the caller may read hold each value of a choice or text field (nil:
    /// empty), under the list's conditions: one `GROUP BY`, not a count per value.
    public func counts(by fieldName: String, _ query: ListQuery, entity pluralName: String, scope: AccessScope) async throws
        -> [String?: Int]
    {
        let (entity, visible) = try await views(pluralName, scope: scope)
        guard let field = visible.field(named: fieldName), field.type == .choice || field.type == .text else {
            throw CRMError.validation([
                ValidationIssue(field: fieldName, code: "unknown_field", message: "records are counted by a visible choice or text field")
            ])
        }
        return try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.counts(by: field, query: query, entity: entity, scope: scope, on: connection)
        }
    }

    /// The display titles of records the caller may read, by id (others are left out).
    public func titles(_ ids: [UUID], entity pluralName: String, scope: AccessScope) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let (entity, visible) = try await views(pluralName, scope: scope)
        guard let idField = entity.field(named: "id") else { return [:] }
        // A list of those ids reading the title fields only (a page names dozens of records).
        var query = ListQuery()
        let unique = Array(Set(ids))
        query.conditions = [FilterCondition(field: idField, op: .in, values: unique.map { .uuid($0) })]
        query.sort = [SortKey(field: idField, descending: true)]
        query.limit = unique.count
        query.fields = Set(visible.titleFields)
        let titleQuery = query
        let found = try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.list(query: titleQuery, entity: entity, scope: scope, on: connection).records
        }
        var titles: [UUID: String] = [:]
        for record in found { titles[record.id] = record.title(in: visible) }
        return titles
    }

    /// A page already in its JSON form (what the list endpoint sends).
    public struct JSONPage: Sendable {
        /// The records' API form, comma-separated (the inside of the `data` array).
        public var records: [UInt8]
        public var nextCursor: String?
        public var total: Int?
    }

    public func listJSON(_ parameters: [(String, String)], entity pluralName: String, scope: AccessScope) async throws -> JSONPage {
        let (entity, visible) = try await views(pluralName, scope: scope)
        // Parsed against what the caller sees: a hidden field can be neither filtered nor sorted on.
        let query = try ListQueryParser.parse(parameters, for: visible).get()
        return try await database.read(workspace: scope.workspaceID) { connection in
            let page = try await RecordStore.listJSON(query: query, entity: entity, visible: visible, scope: scope, on: connection)
            let total = query.includeCount ? try await RecordStore.count(query: query, entity: entity, scope: scope, on: connection) : nil
            return JSONPage(records: page.json, nextCursor: page.nextCursor, total: total)
        }
    }
}
