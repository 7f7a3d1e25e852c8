import Foundation

/// What a funnel is asked about: a pipeline (the default one when nil), deals created between
/// two days (inclusive), of one owner.
public struct FunnelQuery: Sendable, Hashable {
    public var pipelineID: UUID?
    public var from: String?
    public var to: String?
    public var ownerID: UUID?

    public init(pipelineID: UUID? = nil, from: String? = nil, to: String? = nil, ownerID: UUID? = nil) {
        self.pipelineID = pipelineID
        self.from = from
        self.to = to
        self.ownerID = ownerID
    }

    /// The API's parameters (`pipeline`, `from`, `to` or `period=FROM..TO`, `owner`), every
    /// problem reported at once.
    public static func parse(_ parameters: [(String, String)]) -> Result<FunnelQuery, CRMError> {
        let query = Dictionary(parameters, uniquingKeysWith: { _, last in last })
        var issues: [ValidationIssue] = []
        for key in query.keys.sorted() where !["pipeline", "from", "to", "owner", "period"].contains(key) {
            issues.append(
                ValidationIssue(field: key, code: "unknown_parameter", message: "the funnel takes pipeline, from, to (or period) and owner")
            )
        }
        var result = FunnelQuery(from: query["from"], to: query["to"])
        if let raw = query["pipeline"] {
            result.pipelineID = UUID.parse(raw)
            if result.pipelineID == nil {
                issues.append(
                    ValidationIssue(field: "pipeline", code: "unknown_pipeline", message: "pipeline is not a pipeline of this workspace"))
            }
        }
        if let period = query["period"] {
            let parts = period.split(separator: "..", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 {
                result.from = parts[0].isEmpty ? nil : parts[0]
                result.to = parts[1].isEmpty ? nil : parts[1]
            } else {
                issues.append(ValidationIssue(field: "period", code: "format", message: "period must be FROM..TO with dates as YYYY-MM-DD"))
            }
        }
        for (name, value) in [("from", result.from), ("to", result.to)] {
            if let value, !Timestamps.isValidDay(value) {
                issues.append(ValidationIssue(field: name, code: "format", message: "\(name) must be a date as YYYY-MM-DD"))
            }
        }
        if let raw = query["owner"] {
            result.ownerID = UUID.parse(raw)
            if result.ownerID == nil { issues.append(ValidationIssue(field: "owner", code: "format", message: "owner must be a user id")) }
        }
        return issues.isEmpty ? .success(result) : .failure(.validation(issues))
    }
}

/// A pipeline's funnel: per open stage the deals that reached it and stand in it (counts and
/// sums per currency, in millionths), won and lost with their loss reasons. Sums are empty for
/// someone to whom deal amounts are hidden.
public struct FunnelReport: Sendable, Hashable {
    public struct Figures: Sendable, Hashable {
        public var count = 0
        /// Millionths of each currency.
        public var sums: [String: Int64] = [:]

        public init(count: Int = 0, sums: [String: Int64] = [:]) {
            self.count = count
            self.sums = sums
        }

        /// One more deal, with its amount when the caller may see it.
        public mutating func add(_ amount: (currency: String, micros: Int64)?) {
            count += 1
            if let amount { sums[amount.currency, default: 0] += amount.micros }
        }
    }

    public struct Stage: Sendable, Hashable {
        public var key: String
        public var name: LocalizedText
        public var reached: Figures
        public var current: Figures

        public init(key: String, name: LocalizedText, reached: Figures, current: Figures) {
            self.key = key
            self.name = name
            self.reached = reached
            self.current = current
        }
    }

    public var pipelineID: UUID
    public var pipelineName: LocalizedText
    public var query: FunnelQuery
    public var deals: Int
    public var stages: [Stage]
    public var won: Figures
    public var lost: Figures
    /// Loss reasons, the commonest first.
    public var lossReasons: [LossReason]

    public struct LossReason: Sendable, Hashable {
        public var reason: String
        public var figures: Figures

        public init(reason: String, figures: Figures) {
            self.reason = reason
            self.figures = figures
        }
    }

    public init(
        pipelineID: UUID, pipelineName: LocalizedText, query: FunnelQuery, deals: Int, stages: [Stage], won: Figures, lost: Figures,
        lossReasons: [LossReason]
    ) {
        self.pipelineID = pipelineID
        self.pipelineName = pipelineName
        self.query = query
        self.deals = deals
        self.stages = stages
        self.won = won
        self.lost = lost
        self.lossReasons = lossReasons
    }

    /// A share in percent with two decimals, nil when there is nothing to divide by.
    public static func rate(_ part: Int, _ whole: Int) -> Decimal? {
        whole == 0 ? nil : Decimal(Int((Double(part) / Double(whole) * 10_000).rounded())) / 100
    }
}
