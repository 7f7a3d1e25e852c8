import Foundation

/// One step of a sales pipeline. `key` is unique in the workspace and is what a deal's `stage`
/// holds; `probability` is in millionths of a percent point like every percent value.
public struct PipelineStage: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case open, won, lost
    }

    public var id: UUID
    public var key: String
    public var name: LocalizedText
    public var position: Int
    public var probability: Int64
    public var kind: Kind

    public init(id: UUID, key: String, name: LocalizedText, position: Int, probability: Int64, kind: Kind) {
        self.id = id
        self.key = key
        self.name = name
        self.position = position
        self.probability = probability
        self.kind = kind
    }

    public var isClosed: Bool { kind != .open }

    public var json: JSONValue {
        [
            "id": .string(id.lowercased), "key": .string(key), "name": name.json, "position": .int(Int64(position)),
            "probability": FieldValue.scaled(probability).json, "kind": .string(kind.rawValue),
        ]
    }
}

/// A sales pipeline: ordered open stages, then a won and a lost outcome.
public struct Pipeline: Sendable, Hashable {
    public var id: UUID
    public var name: LocalizedText
    public var position: Int
    public var isDefault: Bool
    /// Ordered by position.
    public var stages: [PipelineStage]

    public init(id: UUID, name: LocalizedText, position: Int, isDefault: Bool, stages: [PipelineStage]) {
        self.id = id
        self.name = name
        self.position = position
        self.isDefault = isDefault
        self.stages = stages.sorted { $0.position < $1.position }
    }

    public func stage(_ key: String) -> PipelineStage? { stages.first { $0.key == key } }

    /// Where new deals start: the first open stage.
    public var firstStage: PipelineStage? { stages.first { $0.kind == .open } ?? stages.first }

    public var openStages: [PipelineStage] { stages.filter { $0.kind == .open } }

    public var json: JSONValue {
        [
            "id": .string(id.lowercased), "name": name.json, "position": .int(Int64(position)), "is_default": .bool(isDefault),
            "stages": .array(stages.map(\.json)),
        ]
    }

    /// open – qualification – proposal – negotiation – documents – won / lost.
    public static func defaultStages(at date: Date) -> [PipelineStage] {
        let stages: [(String, LocalizedText, Int64, PipelineStage.Kind)] = [
            ("open", LocalizedText(en: "New", ru: "Новая", bg: "Нова"), 10, .open),
            ("qualification", LocalizedText(en: "Qualification", ru: "Квалификация", bg: "Квалификация"), 20, .open),
            ("proposal", LocalizedText(en: "Proposal", ru: "Предложение", bg: "Предложение"), 40, .open),
            ("negotiation", LocalizedText(en: "Negotiation", ru: "Переговоры", bg: "Преговори"), 60, .open),
            ("documents", LocalizedText(en: "Documents", ru: "Документы", bg: "Документи"), 80, .open),
            ("won", LocalizedText(en: "Won", ru: "Успешно", bg: "Спечелена"), 100, .won),
            ("lost", LocalizedText(en: "Lost", ru: "Провалена", bg: "Загубена"), 0, .lost),
        ]
        return stages.enumerated().map { position, stage in
            PipelineStage(
                id: UUIDv7.make(at: date), key: stage.0, name: stage.1, position: position, probability: stage.2 * 1_000_000,
                kind: stage.3)
        }
    }

    public static let defaultName = LocalizedText(en: "Sales", ru: "Продажи", bg: "Продажби")
}
