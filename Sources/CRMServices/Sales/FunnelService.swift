import CRMCore
import CRMStorage
import Foundation

/// The sales funnel of one pipeline: per open stage, how many deals reached it and their
/// amounts, the conversion from the previous stage, and the won and lost outcomes with loss
/// reasons. A deal "reached" a stage when it stood in it or in any later stage (deals may skip
/// stages); won deals passed every open stage; lost deals count up to the furthest open stage
/// they stood in. Deals are those created in the period (`from`/`to` days, inclusive), of the
/// owner if given. Amounts are summed per currency.
public struct FunnelService: Sendable {
    let records: RecordService
    let pipelines: PipelineService

    public func funnel(_ parameters: [(String, String)], scope: AccessScope) async throws -> JSONValue {
        let query = Dictionary(parameters, uniquingKeysWith: { _, last in last })
        var issues: [ValidationIssue] = []
        for key in query.keys where !["pipeline", "from", "to", "owner", "period"].contains(key) {
            issues.append(
                ValidationIssue(field: key, code: "unknown_parameter", message: "the funnel takes pipeline, from, to (or period) and owner")
            )
        }
        let all = try await pipelines.list(scope: scope)
        var pipeline = all.first(where: \.isDefault)
        if let raw = query["pipeline"] {
            pipeline = UUID.parse(raw).flatMap { id in all.first { $0.id == id } }
            if pipeline == nil {
                issues.append(
                    ValidationIssue(field: "pipeline", code: "unknown_pipeline", message: "pipeline is not a pipeline of this workspace"))
            }
        }
        var from = query["from"]
        var to = query["to"]
        if let period = query["period"] {
            let parts = period.split(separator: "..", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 {
                from = parts[0].isEmpty ? nil : parts[0]
                to = parts[1].isEmpty ? nil : parts[1]
            } else {
                issues.append(ValidationIssue(field: "period", code: "format", message: "period must be FROM..TO with dates as YYYY-MM-DD"))
            }
        }
        for (name, value) in [("from", from), ("to", to)] {
            if let value, !Timestamps.isValidDay(value) {
                issues.append(ValidationIssue(field: name, code: "format", message: "\(name) must be a date as YYYY-MM-DD"))
            }
        }
        var owner: UUID?
        if let raw = query["owner"] {
            owner = UUID.parse(raw)
            if owner == nil { issues.append(ValidationIssue(field: "owner", code: "format", message: "owner must be a user id")) }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        guard let pipeline else { throw CRMError.notFound("the workspace has no pipeline") }
        let deals = try await records.metadata.entity("deals", scope: scope)
        var listParameters: [(String, String)] = [("pipeline_id", pipeline.id.lowercased), ("limit", "500"), ("sort", "created_at")]
        if let from { listParameters.append(("created_at[gte]", from + "T00:00:00Z")) }
        if let to, let day = Timestamps.parse(to + "T00:00:00Z") {
            listParameters.append(("created_at[lt]", Timestamps.format(day.addingTimeInterval(86_400))))
        }
        if let owner { listParameters.append(("owner_id", owner.lowercased)) }
        let query0 = try ListQueryParser.parse(listParameters, for: deals).get()
        let (records, stays) = try await records.database.read(workspace: scope.workspaceID) { connection in
            var query = query0
            var found: [Record] = []
            while true {
                let page = try await RecordStore.list(query: query, entity: deals, scope: scope, on: connection)
                found += page.records
                guard let next = page.nextCursor, let cursor = CursorCoding.decode(next, sort: query.sort) else { break }
                query.after = cursor
            }
            return (found, try await StageHistoryStore.stays(pipelineID: pipeline.id, scope: scope, on: connection))
        }
        let open = pipeline.openStages
        let position = Dictionary(uniqueKeysWithValues: open.enumerated().map { ($1.key, $0) })
        var staysByDeal: [UUID: [String]] = [:]
        for stay in stays { staysByDeal[stay.dealID, default: []].append(stay.stage) }
        var reached = Array(repeating: 0, count: open.count)
        var reachedSums = Array(repeating: [String: Int64](), count: open.count)
        var current = Array(repeating: 0, count: open.count)
        var currentSums = Array(repeating: [String: Int64](), count: open.count)
        var won = (count: 0, sums: [String: Int64]())
        var lost = (count: 0, sums: [String: Int64]())
        var reasons: [String: (count: Int, sums: [String: Int64])] = [:]
        // Someone to whom the amount is hidden gets counts without sums (a sum over one deal is its amount).
        let amountHidden = scope.hiddenFields("deals").contains("amount")
        for deal in records {
            let stageKey = deal.values["stage"]?.plainText ?? ""
            let stage = pipeline.stage(stageKey)
            var amount: (String, Int64)?
            if !amountHidden, case .money(let money)? = deal.values["amount"] { amount = (money.currency, money.micros) }
            var furthest = -1
            for key in (staysByDeal[deal.id] ?? []) + [stageKey] { furthest = max(furthest, position[key] ?? -1) }
            if stage?.kind == .won { furthest = open.count - 1 }
            if let index = position[stageKey] {
                current[index] += 1
                if let amount { currentSums[index][amount.0, default: 0] += amount.1 }
            }
            if furthest >= 0 {
                for index in 0...furthest {
                    reached[index] += 1
                    if let amount { reachedSums[index][amount.0, default: 0] += amount.1 }
                }
            }
            switch stage?.kind {
            case .won?:
                won.count += 1
                if let amount { won.sums[amount.0, default: 0] += amount.1 }
            case .lost?:
                lost.count += 1
                if let amount { lost.sums[amount.0, default: 0] += amount.1 }
                let reason = deal.values["loss_reason"]?.plainText ?? "unknown"
                reasons[reason, default: (0, [:])].count += 1
                if let amount { reasons[reason, default: (0, [:])].sums[amount.0, default: 0] += amount.1 }
            default: break
            }
        }
        func sums(_ values: [String: Int64]) -> JSONValue {
            .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, FieldValue.scaled($0.value).json) }))
        }
        func rate(_ part: Int, _ whole: Int) -> JSONValue {
            whole == 0 ? .null : .decimal(Decimal(Int((Double(part) / Double(whole) * 10_000).rounded())) / 100)
        }
        var stageItems: [JSONValue] = []
        for (index, stage) in open.enumerated() {
            stageItems.append([
                "key": .string(stage.key), "name": stage.name.json, "reached": .int(Int64(reached[index])),
                "amount": sums(reachedSums[index]),
                "current": .int(Int64(current[index])), "current_amount": sums(currentSums[index]),
                "conversion_from_previous": index == 0 ? .null : rate(reached[index], reached[index - 1]),
            ])
        }
        let lostReasons: [JSONValue] = reasons.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map {
            ["reason": .string($0.key), "count": .int(Int64($0.value.count)), "amount": sums($0.value.sums)]
        }
        return [
            "pipeline": ["id": .string(pipeline.id.lowercased), "name": pipeline.name.json],
            "period": ["from": from.map { .string($0) } ?? .null, "to": to.map { .string($0) } ?? .null],
            "owner": owner.map { .string($0.lowercased) } ?? .null,
            "deals": .int(Int64(records.count)),
            "stages": .array(stageItems),
            "won": ["count": .int(Int64(won.count)), "amount": sums(won.sums), "conversion": rate(won.count, records.count)],
            "lost": ["count": .int(Int64(lost.count)), "amount": sums(lost.sums), "reasons": .array(lostReasons)],
        ]
    }
}
