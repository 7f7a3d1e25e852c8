import Foundation

/// Validates a create or patch body against an entity's definition, collecting every problem.
public enum RecordInput {
    public enum Mode: Sendable { case create, update }

    /// Returns the decoded values by field name, or every issue found.
    public static func validate(
        _ body: JSONValue, for entity: EntityDefinition, mode: Mode
    ) -> Result<[String: FieldValue], CRMError> {
        guard case .object(let object) = body else {
            return .failure(.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)"))
        }
        var values: [String: FieldValue] = [:]
        var issues: [ValidationIssue] = []
        for (key, json) in object {
            guard let field = entity.field(named: key) else {
                issues.append(ValidationIssue(field: key, code: "unknown_field", message: "\(entity.name) has no field \(key)"))
                continue
            }
            // System fields are set by the server; a client sending back what it read is not an error.
            if field.isSystem { continue }
            switch field.decode(json) {
            case .success(let value): values[key] = value
            case .failure(let issue): issues.append(issue)
            }
        }
        if mode == .create {
            issues += missingRequired(values, for: entity).filter { missing in !issues.contains { $0.field == missing.field } }
        }
        return issues.isEmpty ? .success(values) : .failure(.validation(issues))
    }

    /// A `required` issue for every required field without a value.
    public static func missingRequired(_ values: [String: FieldValue], for entity: EntityDefinition) -> [ValidationIssue] {
        entity.fields.filter { $0.isRequired && (values[$0.name] ?? .null).isNull }.map { field in
            ValidationIssue(field: field.name, code: "required", message: "\(field.name) is required")
        }
    }
}
