import Foundation

/// Reads list parameters (`limit`, `cursor`, `sort`, `q`, `count`, `field=value`,
/// `field[op]=value`) into a `ListQuery`, reporting every bad parameter at once.
public enum ListQueryParser {
    static let reserved: Set<String> = ["limit", "cursor", "sort", "q", "count"]

    public static func parse(_ items: [(String, String)], for entity: EntityDefinition) -> Result<ListQuery, CRMError> {
        var query = ListQuery()
        var issues: [ValidationIssue] = []
        var cursorText: String?
        for (key, value) in items {
            switch key {
            case "limit":
                if let limit = Int(value), (1...ListQuery.maximumLimit).contains(limit) {
                    query.limit = limit
                } else {
                    issues.append(.init(field: "limit", code: "range", message: "limit must be 1 to \(ListQuery.maximumLimit)"))
                }
            case "cursor": cursorText = value
            case "sort":
                switch parseSort(value, entity: entity) {
                case .success(let keys): query.sort = keys
                case .failure(let issue): issues.append(issue)
                }
            case "q":
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if trimmed.count > 200 {
                    issues.append(.init(field: "q", code: "too_long", message: "q must be at most 200 characters"))
                } else if !trimmed.isEmpty {
                    query.search = trimmed
                }
            case "count":
                guard let flag = Bool(value) else {
                    issues.append(.init(field: "count", code: "type", message: "count must be true or false"))
                    continue
                }
                query.includeCount = flag
            default:
                switch parseCondition(key: key, value: value, entity: entity) {
                case .success(let condition): query.conditions.append(condition)
                case .failure(let issue): issues.append(issue)
                }
            }
        }
        if query.conditions.count > ListQuery.maximumConditions {
            issues.append(
                .init(
                    field: "filters", code: "too_many",
                    message: "combine at most \(ListQuery.maximumConditions) filters in one request (\(query.conditions.count) given)"))
        }
        if query.sort.isEmpty, let created = entity.field(named: "created_at") {
            query.sort = [SortKey(field: created, descending: true)]
        }
        if let cursorText {
            if let cursor = CursorCoding.decode(cursorText, sort: query.sort) {
                query.after = cursor
            } else {
                issues.append(.init(field: "cursor", code: "invalid", message: "cursor is not valid for this sort order"))
            }
        }
        return issues.isEmpty ? .success(query) : .failure(.validation(issues))
    }

    static func parseSort(_ text: String, entity: EntityDefinition) -> Result<[SortKey], ValidationIssue> {
        var keys: [SortKey] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let descending = part.hasPrefix("-")
            let name = descending ? String(part.dropFirst()) : part
            guard let field = entity.field(named: name) else {
                return .failure(.init(field: "sort", code: "unknown_field", message: "cannot sort by unknown field \(name)"))
            }
            guard field.isSortable else {
                return .failure(.init(field: "sort", code: "not_sortable", message: "cannot sort by \(name)"))
            }
            guard !keys.contains(where: { $0.field.name == name }) else { continue }
            keys.append(SortKey(field: field, descending: descending))
        }
        guard keys.count <= 4 else {
            return .failure(.init(field: "sort", code: "too_many", message: "sort by at most 4 fields"))
        }
        if let idIndex = keys.firstIndex(where: { $0.field.name == "id" }) { keys.removeSubrange(idIndex...) }
        return .success(keys)
    }

    static func parseCondition(key: String, value: String, entity: EntityDefinition) -> Result<FilterCondition, ValidationIssue> {
        var name = key
        var op = FilterOperator.eq
        if let open = key.firstIndex(of: "["), key.hasSuffix("]") {
            name = String(key[..<open])
            let opName = String(key[key.index(after: open)..<key.index(before: key.endIndex)])
            guard let parsed = FilterOperator(rawValue: opName) else {
                return .failure(.init(field: key, code: "unknown_operator", message: "unknown filter operator \(opName)"))
            }
            op = parsed
        }
        guard let field = entity.field(named: name) else {
            return .failure(.init(field: key, code: "unknown_field", message: "\(entity.name) has no field \(name)"))
        }
        guard field.type.filterOperators.contains(op) else {
            return .failure(.init(field: key, code: "unsupported_operator", message: "\(op.rawValue) does not apply to \(name)"))
        }
        if op == .empty || op == .notEmpty {
            guard let flag = value.isEmpty ? true : Bool(value) else {
                return .failure(.init(field: key, code: "type", message: "\(key) must be true or false"))
            }
            return .success(FilterCondition(field: field, op: op, values: [], flag: flag))
        }
        let rawValues = (op == .in || op == .nin) ? value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [value]
        guard rawValues.count <= 200 else {
            return .failure(.init(field: key, code: "too_many", message: "\(key) takes at most 200 values"))
        }
        var values: [FieldValue] = []
        for raw in rawValues {
            switch filterValue(raw, field: field, op: op) {
            case .success(let parsed): values.append(parsed)
            case .failure(let issue): return .failure(ValidationIssue(field: key, code: issue.code, message: issue.message))
            }
        }
        return .success(FilterCondition(field: field, op: op, values: values))
    }

    /// Reads one filter value as the field's type would store it.
    static func filterValue(_ raw: String, field: FieldDefinition, op: FilterOperator) -> Result<FieldValue, ValidationIssue> {
        var lenient = field
        lenient.isRequired = false
        lenient.maxLength = 1000
        switch field.type {
        case .text, .longText, .email, .phone, .url, .address, .recurrence:
            return raw.isEmpty ? .failure(field.issue("empty", "filter value must not be empty")) : .success(.text(raw))
        case .multiChoice, .tags:
            return raw.isEmpty ? .failure(field.issue("empty", "filter value must not be empty")) : .success(.text(raw))
        case .integer:
            guard let value = Int64(raw) else { return .failure(field.issue("type", "filter value must be a whole number")) }
            return .success(.integer(value))
        case .decimal, .percent, .money:
            guard let decimal = FieldDefinition.decimal(from: .string(raw)), let micros = Scaled.micros(from: decimal) else {
                return .failure(field.issue("type", "filter value must be a number"))
            }
            return .success(.scaled(micros))
        case .boolean:
            guard let value = Bool(raw) else { return .failure(field.issue("type", "filter value must be true or false")) }
            return .success(.boolean(value))
        case .date, .datetime, .choice, .reference, .user, .uuid:
            return lenient.decode(.string(raw))
        }
    }
}
