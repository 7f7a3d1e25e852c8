import CRMCore
import Foundation

/// A record's form: the controls generated from the entity's fields (custom ones included), the
/// typed values as strings (so a refused form comes back with everything the person typed), and
/// the translation of a submitted form into the API's JSON body, which then goes through the
/// same validation and writer as the API.
struct RecordForm: Sendable {
    /// What the controls show, by input name (`amount`, `amount__currency`, `address__city`).
    var values: [String: [String]] = [:]

    func first(_ name: String) -> String { values[name]?.first ?? "" }

    /// The fields a person fills in: visible, not set by the server, not repeat rules (their
    /// own editor comes with the calendar).
    static func editableFields(_ entity: EntityDefinition) -> [FieldDefinition] {
        entity.fields.filter { !$0.isSystem && $0.type != .recurrence && $0.type != .uuid }
            + [StandardFields.byName["owner_id"]].compactMap { $0 }
    }

    /// The form of a stored record.
    init(record: Record, entity: EntityDefinition, format: LocaleFormat) {
        for field in Self.editableFields(entity) {
            let value = record.value(of: field.name)
            switch value {
            case .null: continue
            case .text(let text), .date(let text): values[field.name] = [text]
            case .integer(let number): values[field.name] = [String(number)]
            case .scaled(let micros): values[field.name] = [Scaled.decimal(fromMicros: micros).description]
            case .money(let money):
                values[field.name] = [money.amount.description]
                values["\(field.name)__currency"] = [money.currency]
            case .boolean(let flag): values[field.name] = [flag ? "true" : "false"]
            case .datetime(let moment): values[field.name] = [format.localInput(moment)]
            case .list(let items): values[field.name] = field.type == .tags ? [items.joined(separator: ", ")] : items
            case .uuid(let id): values[field.name] = [id.lowercased]
            case .address(let address):
                for (key, part) in address.parts { values["\(field.name)__\(key)"] = [part] }
            case .recurrence: continue
            }
        }
    }

    init(submitted form: PageForm) {
        for (name, value) in form.items { values[name, default: []].append(value) }
    }

    init() {}

    /// The API body of a submitted form. On create, empty fields are left out; on update they
    /// are cleared. Values that do not parse are passed on as text, so validation names them.
    func body(entity: EntityDefinition, readOnly: Set<String>, creating: Bool, format: LocaleFormat) -> JSONValue {
        var object = JSONObject()
        for field in Self.editableFields(entity) where !readOnly.contains(field.name) {
            guard let value = json(field, format: format) else { continue }
            if value.isNull && creating { continue }
            object[field.name] = value
        }
        return .object(object)
    }

    /// One field's JSON, or nil when the form did not carry the field at all.
    func json(_ field: FieldDefinition, format: LocaleFormat) -> JSONValue? {
        let name = field.name
        let raw = first(name).trimmingCharacters(in: .whitespacesAndNewlines)
        switch field.type {
        case .text, .longText, .email, .phone, .url, .choice, .date, .reference, .user:
            guard values[name] != nil else { return nil }
            return raw.isEmpty ? .null : .string(field.type == .longText ? first(name) : raw)
        case .integer:
            guard values[name] != nil else { return nil }
            if raw.isEmpty { return .null }
            return Int64(Self.digits(raw)).map { .int($0) } ?? .string(raw)
        case .decimal, .percent:
            guard values[name] != nil else { return nil }
            if raw.isEmpty { return .null }
            return Decimal(string: Self.digits(raw), locale: Locale(identifier: "en_US_POSIX")).map { .decimal($0) } ?? .string(raw)
        case .money:
            guard values[name] != nil else { return nil }
            if raw.isEmpty { return .null }
            let amount: JSONValue =
                Decimal(string: Self.digits(raw), locale: Locale(identifier: "en_US_POSIX")).map { .decimal($0) } ?? .string(raw)
            return ["amount": amount, "currency": .string(first("\(name)__currency").uppercased())]
        case .boolean:
            guard values["\(name)__present"] != nil else { return nil }
            return .bool(values[name]?.contains("true") ?? false)
        case .datetime:
            guard values[name] != nil else { return nil }
            if raw.isEmpty { return .null }
            return format.moment(fromLocalInput: raw).map { .string(Timestamps.format($0)) } ?? .string(raw)
        case .multiChoice:
            guard values["\(name)__present"] != nil else { return nil }
            let chosen = (values[name] ?? []).filter { !$0.isEmpty }
            return chosen.isEmpty ? .null : .array(chosen.map { .string($0) })
        case .tags:
            guard values[name] != nil else { return nil }
            let tags = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return tags.isEmpty ? .null : .array(tags.map { .string($0) })
        case .address:
            var parts = JSONObject()
            var present = false
            for key in Address.keys {
                guard let value = values["\(name)__\(key)"]?.first else { continue }
                present = true
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { parts[key] = .string(trimmed) }
            }
            guard present else { return nil }
            return parts.isEmpty ? .null : .object(parts)
        case .uuid, .recurrence:
            return nil
        }
    }

    /// A number as people type it (`1 234,50`) as the API reads it (`1234.50`).
    static func digits(_ text: String) -> String {
        String(text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "\u{202F}" && $0 != "'" }.map { $0 == "," ? "." : $0 })
    }
}
