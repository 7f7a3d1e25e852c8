import CRMCore

/// Reads a custom field definition from an API body, listing every problem at once.
enum CustomFieldInput {
    static let allowedKeys: Set<String> = ["name", "type", "label", "required", "options", "reference_entity", "searchable", "max_length"]

    static func parse(_ body: JSONValue, existing: FieldDefinition?) throws -> FieldDefinition {
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object")
        }
        var issues: [ValidationIssue] = []
        for key in object.keys where !allowedKeys.contains(key) {
            issues.append(ValidationIssue(field: key, code: "unknown_field", message: "unknown property \(key)"))
        }
        var name = existing?.name ?? ""
        if existing == nil {
            let raw = object["name"]?.stringValue ?? ""
            let base = raw.hasPrefix("c_") ? String(raw.dropFirst(2)) : raw
            if !FieldDefinition.isValidCustomName("c_" + base) {
                issues.append(
                    ValidationIssue(
                        field: "name", code: "format", message: "name must be 1-50 characters of a-z, 0-9 and _, starting with a letter"))
            }
            name = "c_" + base
        } else if let sent = object["name"]?.stringValue, sent != name {
            issues.append(ValidationIssue(field: "name", code: "read_only", message: "a field cannot be renamed"))
        }
        var type = existing?.type ?? .text
        if existing == nil {
            if let raw = object["type"]?.stringValue, let parsed = FieldType(rawValue: raw), !FieldType.builtinOnly.contains(parsed) {
                type = parsed
            } else {
                issues.append(
                    ValidationIssue(
                        field: "type", code: "choice",
                        message:
                            "type must be one of: \(FieldType.allCases.filter { !FieldType.builtinOnly.contains($0) }.map(\.rawValue).joined(separator: ", "))"
                    ))
            }
        } else if let raw = object["type"]?.stringValue, raw != type.rawValue {
            issues.append(ValidationIssue(field: "type", code: "read_only", message: "the type of a field cannot change"))
        }
        var label = existing?.label ?? LocalizedText(en: name)
        if let labelJSON = object["label"] {
            if let parsed = LocalizedText.parse(labelJSON) {
                label = parsed
            } else if case .object = labelJSON {
                issues.append(
                    ValidationIssue(field: "label", code: "format", message: "label must map en, ru, bg to texts of 1-100 characters"))
            } else {
                issues.append(ValidationIssue(field: "label", code: "type", message: "label must be a text or {en, ru, bg}"))
            }
        } else if existing == nil {
            issues.append(ValidationIssue(field: "label", code: "required", message: "label is required"))
        }
        var options = existing?.options ?? []
        if let optionsJSON = object["options"] {
            switch parseOptions(optionsJSON) {
            case .success(let parsed): options = parsed
            case .failure(let issue): issues.append(issue)
            }
        }
        if (type == .choice || type == .multiChoice) && options.isEmpty {
            issues.append(ValidationIssue(field: "options", code: "required", message: "choice fields need at least one option"))
        }
        if type != .choice && type != .multiChoice && !options.isEmpty {
            issues.append(ValidationIssue(field: "options", code: "not_allowed", message: "only choice fields have options"))
        }
        var referenceEntity = existing?.referenceEntity
        if let raw = object["reference_entity"] {
            referenceEntity = raw.stringValue
            if type != .reference || BuiltinEntities.byName[referenceEntity ?? ""] == nil {
                issues.append(
                    ValidationIssue(
                        field: "reference_entity", code: "choice",
                        message:
                            "reference_entity applies to reference fields and must be one of: \(BuiltinEntities.all.map(\.name).joined(separator: ", "))"
                    ))
            }
        } else if type == .reference && referenceEntity == nil {
            issues.append(ValidationIssue(field: "reference_entity", code: "required", message: "reference fields need reference_entity"))
        }
        let isRequired = flag(object["required"], name: "required", default: existing?.isRequired ?? false, issues: &issues)
        let searchable = flag(object["searchable"], name: "searchable", default: existing?.isSearchable ?? false, issues: &issues)
        var maxLength = existing?.maxLength ?? FieldDefinition.defaultMaxLength(for: type)
        if let raw = object["max_length"] {
            if case .int(let value) = raw, value >= 1, let limit = FieldDefinition.defaultMaxLength(for: type), value <= limit {
                maxLength = Int(value)
            } else {
                issues.append(ValidationIssue(field: "max_length", code: "range", message: "max_length must be 1 to the type's limit"))
            }
        }
        guard issues.isEmpty else { throw CRMError.validation(issues) }
        return FieldDefinition(
            name: name, type: type, label: label, isRequired: isRequired, isCustom: true, options: options,
            referenceEntity: referenceEntity, maxLength: maxLength, isSearchable: searchable)
    }

    static func flag(_ json: JSONValue?, name: String, default value: Bool, issues: inout [ValidationIssue]) -> Bool {
        guard let json else { return value }
        guard case .bool(let flag) = json else {
            issues.append(ValidationIssue(field: name, code: "type", message: "\(name) must be true or false"))
            return value
        }
        return flag
    }

    static func parseOptions(_ json: JSONValue) -> Result<[ChoiceOption], ValidationIssue> {
        let problem = ValidationIssue(
            field: "options", code: "format",
            message: "options must be a list of {value, label} with unique values and labels of 1-100 characters")
        guard case .array(let items) = json, items.count <= 500 else { return .failure(problem) }
        var options: [ChoiceOption] = []
        for item in items {
            guard case .object(let object) = item, let value = object["value"]?.stringValue, !value.isEmpty, value.count <= 100,
                !options.contains(where: { $0.value == value })
            else { return .failure(problem) }
            var label = LocalizedText(en: value)
            if let raw = object["label"] {
                guard let parsed = LocalizedText.parse(raw) else { return .failure(problem) }
                label = parsed
            }
            options.append(ChoiceOption(value: value, label: label))
        }
        return .success(options)
    }
}
