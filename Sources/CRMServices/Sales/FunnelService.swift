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

    /// The funnel the API's parameters ask for.
    public func funnel(_ parameters: [(String, String)], scope: AccessScope) async throws -> FunnelReport {
        try await funnel(try FunnelQuery.parse(parameters).get(), scope: scope)
    }

    public func funnel(_ query: FunnelQuery, scope: AccessScope) async throws -> FunnelReport {
        let all = try await pipelines.list(scope: scope)
        let pipeline = query.pipelineID.map { id in all.first { $0.id == id } } ?? all.first(where: \.isDefault)
        if query.pipelineID != nil, pipeline == nil {
            throw CRMError.validation([
                ValidationIssue(field: "pipeline", code: "unknown_pipeline", message: "pipeline is not a pipeline of this workspace")
            ])
        }
        guard let pipeline else { throw CRMError.notFound("the workspace has no pipeline") }
        let deals = try await records.metadata.entity("deals", scope: scope)
        var listParameters: [(String, String)] = [("pipeline_id", pipeline.id.lowercased), ("limit", "500"), ("sort", "created_at")]
        if let from = query.from { listParameters.append(("created_at[gte]", from + "T00:00:00Z")) }
        if let to = query.to, let day = Timestamps.parse(to + "T00:00:00Z") {
            listParameters.append(("created_at[lt]", Timestamps.format(day.addingTimeInterval(86_400))))
        }
        if let owner = query.ownerID { listParameters.append(("owner_id", owner.lowercased)) }
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
        var reached = Array(repeating: FunnelReport.Figures(), count: open.count)
        var current = Array(repeating: FunnelReport.Figures(), count: open.count)
        var won = FunnelReport.Figures()
        var lost = FunnelReport.Figures()
        var reasons: [String: FunnelReport.Figures] = [:]
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
            if let index = position[stageKey] { current[index].add(amount) }
            if furthest >= 0 {
                for index in 0...furthest { reached[index].add(amount) }
            }
            switch stage?.kind {
            case .won?: won.add(amount)
            case .lost?:
                lost.add(amount)
                reasons[deal.values["loss_reason"]?.plainText ?? "unknown", default: FunnelReport.Figures()].add(amount)
            default: break
            }
        }
        return FunnelReport(
            pipelineID: pipeline.id, pipelineName: pipeline.name,
            query: FunnelQuery(pipelineID: pipeline.id, from: query.from, to: query.to, ownerID: query.ownerID),
            deals: records.count,
            stages: open.enumerated().map { index, stage in
                FunnelReport.Stage(key: stage.key, name: stage.name, reached: reached[index], current: current[index])
            },
            won: won, lost: lost,
            lossReasons: reasons.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map {
                FunnelReport.LossReason(reason: $0.key, figures: $0.value)
            })
    }
}
