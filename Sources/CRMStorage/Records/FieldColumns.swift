import CRMCore
import Foundation

/// How field values map onto columns (built-in fields) or the `custom` JSON document (custom
/// fields), and back.
enum FieldColumns {
    /// The columns a built-in field occupies: money also has `<name>_currency`.
    static func columns(of field: FieldDefinition) -> [String] {
        field.type == .money ? [field.name, field.name + "_currency"] : [field.name]
    }

    /// Values to write into a built-in field's columns.
    static func sqlValues(_ value: FieldValue, field: FieldDefinition) -> [SQLValue] {
        if field.type == .money {
            guard case .money(let money) = value else { return [.null, .null] }
            return [.int(money.micros), .text(money.currency)]
        }
        return [sqlValue(value)]
    }

    /// A value in its native column type (built-in columns, comparisons against them).
    static func sqlValue(_ value: FieldValue) -> SQLValue {
        switch value {
        case .null: .null
        case .text(let text): .text(text)
        case .integer(let number), .scaled(let number): .int(number)
        case .money(let money): .int(money.micros)
        case .boolean(let flag): .bool(flag)
        case .date(let day): .day(day)
        case .datetime(let date): .timestamp(date)
        case .list(let items): .json(JSONValue.array(items.map { .string($0) }).serializedString())
        case .uuid(let id): .uuid(id)
        case .address, .recurrence: .json(value.json.serializedString())
        }
    }

    /// A value as it compares against a custom field's JSON scalar.
    static func customComparable(_ value: FieldValue) -> SQLValue {
        switch value {
        case .uuid(let id): .text(id.lowercased)
        case .date(let day): .text(day)
        case .datetime(let date): .text(Timestamps.format(date))
        case .money(let money): .int(money.micros)
        default: sqlValue(value)
        }
    }

    /// A custom field's value inside the `custom` document.
    static func customJSON(_ value: FieldValue) -> JSONValue {
        switch value {
        case .scaled(let micros): .int(micros)
        case .money(let money): ["micros": .int(money.micros), "currency": .string(money.currency)]
        case .datetime(let date): .string(Timestamps.format(date))
        default: value.json
        }
    }

    static func customValue(_ json: JSONValue, field: FieldDefinition) -> FieldValue {
        customValue(json, type: field.type, name: field.name)
    }

    static func customValue(_ json: JSONValue, type: FieldType, name: String) -> FieldValue {
        switch (type, json) {
        case (_, .null): return .null
        case (.text, .string(let s)), (.longText, .string(let s)), (.email, .string(let s)), (.phone, .string(let s)),
            (.url, .string(let s)), (.choice, .string(let s)):
            return .text(s)
        case (.integer, .int(let n)): return .integer(n)
        case (.decimal, .int(let n)), (.percent, .int(let n)): return .scaled(n)
        case (.money, .object(let object)):
            guard case .int(let micros)? = object["micros"], let currency = object["currency"]?.stringValue else { return .null }
            return .money(Money(micros: micros, currency: currency))
        case (.boolean, .bool(let flag)): return .boolean(flag)
        case (.date, .string(let s)): return .date(s)
        case (.datetime, .string(let s)): return Timestamps.parse(s).map { .datetime($0) } ?? .null
        case (.multiChoice, .array(let items)), (.tags, .array(let items)): return .list(items.compactMap(\.stringValue))
        case (.reference, .string(let s)), (.user, .string(let s)), (.uuid, .string(let s)):
            return UUID(uuidString: s).map { .uuid($0) } ?? .null
        case (.recurrence, .object):
            if case .success(let rule) = RepeatRule.parse(json, field: name) { return .recurrence(rule) }
            return .null
        case (.address, .object(let object)):
            var parts: [String: String] = [:]
            for (key, value) in object { parts[key] = value.stringValue }
            return .address(Address(parts: parts))
        default: return .null
        }
    }

    /// Reads a built-in field from its column value (and, for money, its currency column).
    static func value(_ primary: SQLValue, currency: SQLValue, type: FieldType, name: String) -> FieldValue {
        switch type {
        case .text, .longText, .email, .phone, .url, .choice:
            return primary.stringValue.map { .text($0) } ?? .null
        case .integer: return primary.intValue.map { .integer($0) } ?? .null
        case .decimal, .percent: return primary.intValue.map { .scaled($0) } ?? .null
        case .money:
            guard let micros = primary.intValue else { return .null }
            return .money(Money(micros: micros, currency: currency.stringValue ?? "RUB"))
        case .boolean: return primary.boolValue.map { .boolean($0) } ?? .null
        case .date: return primary.stringValue.map { .date(String($0.prefix(10))) } ?? .null
        case .datetime: return primary.dateValue.map { .datetime($0) } ?? .null
        case .multiChoice, .tags:
            guard let text = primary.stringValue, case .array(let items)? = try? JSONValue.parse(text) else { return .null }
            let strings = items.compactMap(\.stringValue)
            return strings.isEmpty ? .null : .list(strings)
        case .reference, .user, .uuid: return primary.uuidValue.map { .uuid($0) } ?? .null
        case .address, .recurrence:
            guard let text = primary.stringValue, let json = try? JSONValue.parse(text) else { return .null }
            return customValue(json, type: type, name: name)
        }
    }
}
