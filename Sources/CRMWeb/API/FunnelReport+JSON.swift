import CRMCore
import Foundation

/// The API's rendering of a funnel (`GET /api/v1/reports/funnel`).
extension FunnelReport {
    var json: JSONValue {
        func sums(_ values: [String: Int64]) -> JSONValue {
            .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, FieldValue.scaled($0.value).json) }))
        }
        func rate(_ part: Int, _ whole: Int) -> JSONValue { Self.rate(part, whole).map { .decimal($0) } ?? .null }
        let stageItems: [JSONValue] = stages.enumerated().map { index, stage in
            [
                "key": .string(stage.key), "name": stage.name.json, "reached": .int(Int64(stage.reached.count)),
                "amount": sums(stage.reached.sums), "current": .int(Int64(stage.current.count)), "current_amount": sums(stage.current.sums),
                "conversion_from_previous": index == 0 ? .null : rate(stage.reached.count, stages[index - 1].reached.count),
            ]
        }
        let reasons: [JSONValue] = lossReasons.map {
            ["reason": .string($0.reason), "count": .int(Int64($0.figures.count)), "amount": sums($0.figures.sums)]
        }
        return [
            "pipeline": ["id": .string(pipelineID.lowercased), "name": pipelineName.json],
            "period": ["from": query.from.map { .string($0) } ?? .null, "to": query.to.map { .string($0) } ?? .null],
            "owner": query.ownerID.map { .string($0.lowercased) } ?? .null,
            "deals": .int(Int64(deals)),
            "stages": .array(stageItems),
            "won": ["count": .int(Int64(won.count)), "amount": sums(won.sums), "conversion": rate(won.count, deals)],
            "lost": ["count": .int(Int64(lost.count)), "amount": sums(lost.sums), "reasons": .array(reasons)],
        ]
    }
}
