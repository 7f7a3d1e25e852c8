import CRMCore
import CRMStorage
import Foundation

/// Sales pipelines: every workspace has a default one; administrators add more, rename them and
/// edit their stages. A stage that still holds deals cannot be removed.
public struct PipelineService: Sendable {
    let database: any Database
    let metadata: MetadataService

    public func list(scope: AccessScope) async throws -> [Pipeline] {
        let pipelines = try await database.read(workspace: scope.workspaceID) { connection in
            try await PipelineStore.all(scope: scope, on: connection)
        }
        if pipelines.contains(where: \.isDefault) { return pipelines }
        return try await database.write(workspace: scope.workspaceID) { connection in
            try await PipelineStore.ensureDefault(scope: scope, on: connection)
            return try await PipelineStore.all(scope: scope, on: connection)
        }
    }

    public func get(id: UUID, scope: AccessScope) async throws -> Pipeline {
        guard let pipeline = try await list(scope: scope).first(where: { $0.id == id }) else {
            throw CRMError.notFound("pipeline \(id.lowercased) does not exist")
        }
        return pipeline
    }

    public func create(_ body: JSONValue, scope: AccessScope) async throws -> Pipeline {
        try metadata.requireAdmin(scope, to: "change pipelines")
        let existing = try await list(scope: scope)
        var pipeline = try Self.parse(body, existing: nil)
        pipeline.position = (existing.map(\.position).max() ?? 0) + 1
        let created = pipeline
        try await database.write(workspace: scope.workspaceID) { connection in
            try await Self.checkKeys(created, scope: scope, on: connection)
            try await PipelineStore.insert(created, scope: scope, on: connection)
        }
        return created
    }

    public func update(id: UUID, _ body: JSONValue, scope: AccessScope) async throws -> Pipeline {
        try metadata.requireAdmin(scope, to: "change pipelines")
        let current = try await get(id: id, scope: scope)
        let pipeline = try Self.parse(body, existing: current)
        try await database.write(workspace: scope.workspaceID) { connection in
            try await Self.checkKeys(pipeline, scope: scope, on: connection)
            let counts = try await PipelineStore.dealCounts(pipelineID: id, scope: scope, on: connection)
            let removed = current.stages.filter { old in pipeline.stage(old.key) == nil && (counts[old.key] ?? 0) > 0 }
            if !removed.isEmpty {
                throw CRMError.conflict(
                    code: "stage_in_use",
                    message: "stages still holding deals (the trash included) cannot be removed: "
                        + removed.map { "\($0.key) (\(counts[$0.key] ?? 0) deals)" }.joined(separator: ", "))
            }
            try await PipelineStore.replace(pipeline, scope: scope, on: connection)
        }
        return pipeline
    }

    public func delete(id: UUID, scope: AccessScope) async throws {
        try metadata.requireAdmin(scope, to: "change pipelines")
        let current = try await get(id: id, scope: scope)
        guard !current.isDefault else {
            throw CRMError.conflict(code: "default_pipeline", message: "the default pipeline cannot be deleted")
        }
        try await database.write(workspace: scope.workspaceID) { connection in
            let deals = try await PipelineStore.dealCounts(pipelineID: id, scope: scope, on: connection).values.reduce(0, +)
            guard deals == 0 else {
                throw CRMError.conflict(
                    code: "pipeline_in_use",
                    message: "the pipeline still holds \(deals) deals (the trash included); move them to another pipeline first")
            }
            try await PipelineStore.delete(id: id, scope: scope, on: connection)
        }
    }

    // MARK: - Sales settings

    public func settings(scope: AccessScope) async throws -> JSONValue {
        try await database.read(workspace: scope.workspaceID) { connection in
            try await SalesSettings.load(scope: scope, on: connection).json
        }
    }

    /// `{"deal_priority_threshold": {"RUB": 1000000, "EUR": "15000.50"}}`: deals at or above the
    /// amount of their currency become high priority; `null` (or `{}`) turns the rule off.
    public func updateSettings(_ body: JSONValue, scope: AccessScope) async throws -> JSONValue {
        try metadata.requireAdmin(scope, to: "change sales settings")
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)")
        }
        var issues: [ValidationIssue] = []
        var thresholds: [String: Int64] = [:]
        for (key, value) in object {
            guard key == "deal_priority_threshold" else {
                issues.append(ValidationIssue(field: key, code: "unknown_field", message: "sales settings have deal_priority_threshold"))
                continue
            }
            switch value {
            case .null: break
            case .object(let items):
                for (currency, amount) in items {
                    guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                        issues.append(
                            ValidationIssue(
                                field: "deal_priority_threshold.\(currency)", code: "format", message: "currency must be an ISO 4217 code"))
                        continue
                    }
                    guard let decimal = FieldDefinition.decimal(from: amount), let micros = Scaled.micros(from: decimal), micros > 0 else {
                        issues.append(
                            ValidationIssue(
                                field: "deal_priority_threshold.\(currency)", code: "type",
                                message: "the threshold must be a positive amount"))
                        continue
                    }
                    thresholds[currency] = micros
                }
            default:
                issues.append(
                    ValidationIssue(
                        field: key, code: "type", message: "deal_priority_threshold maps currencies to amounts, e.g. {\"RUB\": 1000000}"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let settings = SalesSettings(priorityThresholds: thresholds)
        try await database.write(workspace: scope.workspaceID) { connection in
            var document = try await WorkspaceSettingsStore.load(scope: scope, on: connection)
            document["sales"] = settings.json
            try await WorkspaceSettingsStore.save(document, scope: scope, on: connection)
        }
        return settings.json
    }

    static func checkKeys(_ pipeline: Pipeline, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        var issues: [ValidationIssue] = []
        for (index, stage) in pipeline.stages.enumerated()
        where try await PipelineStore.keyTaken(stage.key, outside: pipeline.id, scope: scope, on: connection) {
            issues.append(
                ValidationIssue(
                    field: "stages[\(index)].key", code: "taken", message: "stage key \(stage.key) is used by another pipeline"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
    }

    /// Reads `{"name": ..., "stages": [{"key", "name", "probability", "kind"}]}`; on update both are optional.
    static func parse(_ body: JSONValue, existing: Pipeline?) throws -> Pipeline {
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)")
        }
        var issues: [ValidationIssue] = []
        for (key, _) in object where !["name", "stages"].contains(key) {
            issues.append(ValidationIssue(field: key, code: "unknown_field", message: "a pipeline has a name and stages"))
        }
        var name = existing?.name
        if let raw = object["name"] {
            name = LocalizedText.parse(raw)
            if name == nil {
                issues.append(
                    ValidationIssue(field: "name", code: "invalid", message: "name must be a text or {en, ru, bg}, 1-100 characters"))
            }
        } else if existing == nil {
            issues.append(ValidationIssue(field: "name", code: "required", message: "name is required"))
        }
        var stages = existing?.stages ?? []
        if let raw = object["stages"] {
            stages = parseStages(raw, existing: existing, issues: &issues)
        } else if existing == nil {
            issues.append(ValidationIssue(field: "stages", code: "required", message: "stages are required"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return Pipeline(
            id: existing?.id ?? UUIDv7.make(), name: name ?? LocalizedText(en: ""), position: existing?.position ?? 0,
            isDefault: existing?.isDefault ?? false, stages: stages)
    }

    static func parseStages(_ raw: JSONValue, existing: Pipeline?, issues: inout [ValidationIssue]) -> [PipelineStage] {
        guard let items = raw.arrayValue, (3...30).contains(items.count) else {
            issues.append(
                ValidationIssue(
                    field: "stages", code: "invalid", message: "stages must be a list of 3 to 30 stages (open ones, a won and a lost)"))
            return []
        }
        var stages: [PipelineStage] = []
        var keys = Set<String>()
        for (index, item) in items.enumerated() {
            let path = "stages[\(index)]"
            guard case .object(let stage) = item else {
                issues.append(ValidationIssue(field: path, code: "type", message: "\(path) must be an object"))
                continue
            }
            for (key, _) in stage where !["key", "name", "probability", "kind", "id"].contains(key) {
                issues.append(
                    ValidationIssue(field: "\(path).\(key)", code: "unknown_field", message: "a stage has key, name, probability and kind"))
            }
            let key = stage["key"]?.stringValue ?? "s" + String(UUIDv7.make().lowercased.suffix(10))
            if !Self.isValidKey(key) {
                issues.append(
                    ValidationIssue(field: "\(path).key", code: "format", message: "\(path).key must match [a-z][a-z0-9_]{0,39}"))
            } else if !keys.insert(key).inserted {
                issues.append(ValidationIssue(field: "\(path).key", code: "duplicate", message: "stage key \(key) appears twice"))
            }
            let name = stage["name"].flatMap { LocalizedText.parse($0) }
            if name == nil {
                issues.append(
                    ValidationIssue(field: "\(path).name", code: "required", message: "\(path).name must be a text or {en, ru, bg}"))
            }
            let kind = PipelineStage.Kind(rawValue: stage["kind"]?.stringValue ?? "open")
            if kind == nil {
                issues.append(ValidationIssue(field: "\(path).kind", code: "choice", message: "\(path).kind must be open, won or lost"))
            }
            var probability: Int64 = kind == .won ? 100_000_000 : 0
            if let raw = stage["probability"] {
                if let decimal = FieldDefinition.decimal(from: raw), let micros = Scaled.micros(from: decimal),
                    (0...100_000_000).contains(micros)
                {
                    probability = micros
                } else {
                    issues.append(
                        ValidationIssue(field: "\(path).probability", code: "out_of_range", message: "\(path).probability must be 0 to 100")
                    )
                }
            }
            let id = existing?.stage(key)?.id ?? UUIDv7.make()
            stages.append(
                PipelineStage(
                    id: id, key: key, name: name ?? LocalizedText(en: key), position: index, probability: probability, kind: kind ?? .open))
        }
        let won = stages.filter { $0.kind == .won }.count
        let lost = stages.filter { $0.kind == .lost }.count
        if won != 1 || lost != 1 || !stages.contains(where: { $0.kind == .open }) {
            issues.append(
                ValidationIssue(
                    field: "stages", code: "outcomes",
                    message: "a pipeline needs at least one open stage, exactly one won and exactly one lost stage"))
        }
        return stages
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first), key.count <= 40 else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
