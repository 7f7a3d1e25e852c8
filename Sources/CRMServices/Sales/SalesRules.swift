import CRMCore
import CRMStorage
import Foundation

/// Entity rules of the sales core, run by `RecordWriter` inside the write's transaction:
/// `prepare` derives values and refuses states the business does not allow; `written` records
/// what follows from a stored change (stage history, company membership, repeat series).
enum SalesRules {
    /// What `prepare` decided, for `written`.
    struct Effects: Sendable {
        /// Fields the rules set themselves (their references are checked like the client's).
        var derived: Set<String> = []
        var stageChanged = false
        var repeatRule: RepeatRule?
    }

    static func prepare(
        _ record: inout Record, old: Record?, explicit: Set<String>, action: RecordWriter.Action, entity: EntityDefinition,
        writer: RecordWriter
    ) async throws -> Effects {
        switch entity.name {
        case "lead": return try prepareLead(&record, old: old, explicit: explicit, action: action)
        case "deal": return try await prepareDeal(&record, old: old, explicit: explicit, writer: writer)
        case "activity": return try prepareActivity(&record, old: old, explicit: explicit, now: writer.now)
        case "note":
            if record.values["kind"] == nil { record.values["kind"] = .text("note") }
            return Effects()
        default: return Effects()
        }
    }

    static func written(_ record: Record, old: Record?, effects: Effects, entity: EntityDefinition, writer: RecordWriter) async throws {
        switch entity.name {
        case "deal":
            if effects.stageChanged, let pipelineID = record.values["pipeline_id"]?.uuidValue, let stage = record.values["stage"]?.plainText
            {
                try await StageHistoryStore.enter(
                    dealID: record.id, pipelineID: pipelineID, stage: stage, at: writer.now, scope: writer.scope, on: writer.connection)
            }
        case "contact":
            if let companyID = record.values["company_id"]?.uuidValue, companyID != old?.values["company_id"]?.uuidValue {
                try await LinkStore.upsert(
                    RecordLink(
                        id: UUIDv7.make(at: writer.now), kind: RelationKind.contactCompany.rawValue, fromID: record.id, toEntity: "company",
                        toID: companyID, role: nil, title: record.values["title"]?.plainText, isPrimary: true, createdAt: writer.now,
                        createdBy: writer.scope.userID), scope: writer.scope, on: writer.connection)
            }
        case "activity":
            if let rule = effects.repeatRule, old == nil {
                try await ActivitySeries.materialize(master: record, rule: rule, entity: entity, writer: writer)
            }
        default: break
        }
    }

    // MARK: - Leads

    static func prepareLead(_ record: inout Record, old: Record?, explicit: Set<String>, action: RecordWriter.Action) throws -> Effects {
        let status = record.values["status"]?.plainText
        if let old, old.values["status"]?.plainText == "converted", action != .convert, action != .merge {
            throw CRMError.conflict(
                code: "lead_converted", message: "lead \(old.number) was converted and is read-only; change the records it produced instead"
            )
        }
        var issues: [ValidationIssue] = []
        if status == "converted", action != .convert, old?.values["status"]?.plainText != "converted" {
            issues.append(
                ValidationIssue(
                    field: "status", code: "use_convert", message: "a lead becomes converted only through POST /api/v1/leads/{id}/convert"))
        }
        if status == "junk", record.values["junk_reason"] == nil {
            issues.append(ValidationIssue(field: "junk_reason", code: "required", message: "junk_reason is required for a junk lead"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        var effects = Effects()
        if status == nil {
            record.values["status"] = .text("new")
            effects.derived.insert("status")
        }
        return effects
    }

    // MARK: - Deals

    static func prepareDeal(_ record: inout Record, old: Record?, explicit: Set<String>, writer: RecordWriter) async throws -> Effects {
        try await PipelineStore.ensureDefault(scope: writer.scope, on: writer.connection)
        let pipelines = try await PipelineStore.all(scope: writer.scope, on: writer.connection)
        var effects = Effects()
        let requested = record.values["pipeline_id"]?.uuidValue
        guard let pipeline = requested.map({ id in pipelines.first { $0.id == id } }) ?? pipelines.first(where: \.isDefault) else {
            throw CRMError.validation([
                ValidationIssue(field: "pipeline_id", code: "unknown_pipeline", message: "pipeline_id is not a pipeline of this workspace")
            ])
        }
        let pipelineChanged = old?.values["pipeline_id"]?.uuidValue != pipeline.id
        var key = record.values["stage"]?.plainText
        if key == nil || (pipelineChanged && old != nil && !explicit.contains("stage")) { key = pipeline.firstStage?.key }
        guard let key, let stage = pipeline.stage(key) else {
            let known = pipeline.stages.map(\.key).joined(separator: ", ")
            let other = pipelines.first { $0.id != pipeline.id && $0.stage(key ?? "") != nil }
            let message =
                other != nil
                ? "stage \(key ?? "") belongs to pipeline \(other!.name["en"]), not to \(pipeline.name["en"]) (its stages: \(known))"
                : "stage \(key ?? "") is not a stage of pipeline \(pipeline.name["en"]) (its stages: \(known))"
            throw CRMError.validation([ValidationIssue(field: "stage", code: "stage_pipeline", message: message)])
        }
        record.values["pipeline_id"] = .uuid(pipeline.id)
        record.values["stage"] = .text(stage.key)
        effects.stageChanged = old == nil || pipelineChanged || old?.values["stage"]?.plainText != stage.key
        if effects.stageChanged {
            record.values["stage_entered_at"] = .datetime(writer.now)
            if !explicit.contains("probability") { record.values["probability"] = .scaled(stage.probability) }
            if stage.isClosed {
                if !explicit.contains("closed_on") || record.values["closed_on"] == nil {
                    record.values["closed_on"] = .date(Timestamps.day(of: writer.now))
                }
            } else {
                if !explicit.contains("closed_on") { record.values["closed_on"] = nil }
                if !explicit.contains("loss_reason") { record.values["loss_reason"] = nil }
            }
        }
        var issues: [ValidationIssue] = []
        if stage.kind == .lost, record.values["loss_reason"] == nil {
            issues.append(ValidationIssue(field: "loss_reason", code: "required", message: "loss_reason is required when a deal is lost"))
        }
        if stage.kind != .lost, explicit.contains("loss_reason"), record.values["loss_reason"] != nil {
            issues.append(ValidationIssue(field: "loss_reason", code: "not_lost", message: "loss_reason is only for lost deals"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        // The priority rule: amounts at or above the workspace's threshold make a deal high priority.
        if case .money(let amount)? = record.values["amount"], old == nil || old?.values["amount"] != record.values["amount"],
            let threshold = try await SalesSettings.load(scope: writer.scope, on: writer.connection).priorityThresholds[amount.currency],
            amount.micros >= threshold
        {
            record.values["priority"] = .text("high")
        }
        if record.values["priority"] == nil { record.values["priority"] = .text("normal") }
        effects.derived.formUnion(["pipeline_id"])
        return effects
    }

    // MARK: - Activities

    static func prepareActivity(_ record: inout Record, old: Record?, explicit: Set<String>, now: Date) throws -> Effects {
        var effects = Effects()
        let type = record.values["type"]?.plainText ?? "task"
        if record.values["status"] == nil { record.values["status"] = .text(type == "call" ? "completed" : "planned") }
        if record.values["priority"] == nil { record.values["priority"] = .text("normal") }
        let status = record.values["status"]?.plainText
        if status == "completed" {
            if old?.values["status"]?.plainText != "completed" || record.values["completed_at"] == nil {
                record.values["completed_at"] = .datetime(now)
            }
        } else {
            record.values["completed_at"] = nil
        }
        var issues: [ValidationIssue] = []
        if type == "meeting", record.values["start_at"] == nil {
            issues.append(ValidationIssue(field: "start_at", code: "required", message: "start_at is required for a meeting"))
        }
        if case .datetime(let start)? = record.values["start_at"], case .datetime(let end)? = record.values["end_at"], end < start {
            issues.append(ValidationIssue(field: "end_at", code: "before_start", message: "end_at must not be before start_at"))
        }
        if case .recurrence(let rule)? = record.values["repeat"] {
            if old != nil, explicit.contains("repeat"), old?.values["repeat"] != record.values["repeat"] {
                issues.append(
                    ValidationIssue(
                        field: "repeat", code: "read_only",
                        message: "a repeat rule is set when the activity is created; cancel the series and create a new one to change it"))
            } else if type == "call" {
                issues.append(
                    ValidationIssue(field: "repeat", code: "not_repeatable", message: "calls do not repeat; tasks and meetings do"))
            } else if type == "task", record.values["due_at"] == nil {
                issues.append(ValidationIssue(field: "due_at", code: "required", message: "a repeating task needs due_at"))
            } else if old == nil {
                effects.repeatRule = rule
                record.values["series_id"] = .uuid(record.id)
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        // A moved reminder fires again.
        if let old, old.values["reminder_at"] != record.values["reminder_at"] { record.values["reminded_at"] = nil }
        return effects
    }
}

/// Sales settings of a workspace, kept in its settings document under `sales`.
struct SalesSettings: Sendable {
    /// Deal amounts (in millionths) at or above which a deal becomes high priority, per currency.
    var priorityThresholds: [String: Int64] = [:]

    static func load(scope: AccessScope, on connection: any DatabaseConnection) async throws -> SalesSettings {
        let document = try await WorkspaceSettingsStore.load(scope: scope, on: connection)
        var settings = SalesSettings()
        if case .object(let thresholds)? = document["sales"]?["deal_priority_threshold"] {
            for (currency, value) in thresholds {
                if let decimal = FieldDefinition.decimal(from: value), let micros = Scaled.micros(from: decimal) {
                    settings.priorityThresholds[currency] = micros
                }
            }
        }
        return settings
    }

    var json: JSONValue {
        [
            "deal_priority_threshold": .object(
                JSONObject(priorityThresholds.sorted { $0.key < $1.key }.map { ($0.key, FieldValue.scaled($0.value).json) }))
        ]
    }
}
