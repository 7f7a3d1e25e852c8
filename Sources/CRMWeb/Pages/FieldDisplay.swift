import CRMCore
import Foundation

/// What a page needs besides the records to show their values: titles of the records their
/// references point at, and the names of users.
struct DisplayContext: Sendable {
    var titles: [UUID: String] = [:]
    var userNames: [UUID: String] = [:]
    /// Plural names of entities by their singular name (`company` → `companies`).
    var pluralNames: [String: String] = [:]
    /// Deal stages' names by key, in the person's language.
    var stageNames: [String: String] = [:]
}

/// A field's value as a person reads it: in their language and formats, links where a value
/// leads somewhere, and always escaped.
enum FieldDisplay {
    static func html(_ value: FieldValue, field: FieldDefinition, viewer: Viewer, context: DisplayContext) -> HTML {
        let format = viewer.format
        switch value {
        case .null: return ""
        case .text(let text):
            switch field.type {
            case .email: return "<a href=\"mailto:\(text)\">\(text)</a>"
            case .phone:
                let dial = text.filter { $0.isNumber || $0 == "+" }
                return "<a href=\"tel:\(dial)\">\(text)</a>"
            case .url:
                guard let safe = HTML.safeURL(text) else { return "\(text)" }
                return "<a href=\"\(safe)\" rel=\"noopener noreferrer\" target=\"_blank\">\(text)</a>"
            case .choice:
                return "\(field.options.first { $0.value == text }.map { viewer.t.label($0.label) } ?? text)"
            case .text where field.name == "stage" && !context.stageNames.isEmpty:
                return "\(context.stageNames[text] ?? text)"
            default: return "\(text)"
            }
        case .integer(let number): return "\(format.integer(number))"
        case .scaled(let micros):
            return field.type == .percent ? "\(format.scaled(micros, maximumDigits: 2))\u{00A0}%" : "\(format.scaled(micros))"
        case .money(let money): return "\(format.money(money))"
        case .boolean(let flag): return "\(viewer.t(flag ? "value.yes" : "value.no"))"
        case .date(let day): return "\(format.day(day))"
        case .datetime(let moment): return "<time datetime=\"\(Timestamps.format(moment))\">\(format.dateTime(moment))</time>"
        case .list(let items):
            if field.type == .tags { return "\(each: items.map { "<span class=\"chip\">\($0)</span>" as HTML })" }
            let labels = items.map { item in field.options.first { $0.value == item }.map { viewer.t.label($0.label) } ?? item }
            return "\(labels.joined(separator: ", "))"
        case .uuid(let id):
            switch field.type {
            case .user:
                return "\(context.userNames[id] ?? viewer.t("value.unknown_user"))"
            case .reference:
                guard let title = context.titles[id] else { return "<span class=\"muted\">\(viewer.t("value.hidden_record"))</span>" }
                guard let entity = field.referenceEntity.flatMap({ context.pluralNames[$0] }) else { return "\(title)" }
                return "<a href=\"/\(entity)/\(id.lowercased)\">\(title)</a>"
            default: return "\(id.lowercased)"
            }
        case .address(let address): return "\(address.singleLine)"
        case .recurrence: return "\(viewer.t("value.repeats"))"
        }
    }

    /// Whether a column of this type reads better aligned right.
    static func isNumeric(_ type: FieldType) -> Bool {
        switch type {
        case .integer, .decimal, .money, .percent: true
        default: false
        }
    }
}
