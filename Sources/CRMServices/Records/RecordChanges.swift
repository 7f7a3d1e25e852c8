import CRMCore

/// Field-level differences for the audit log: `{field: {old, new}}`.
enum RecordChanges {
    static func diff(from old: Record?, to new: Record, entity: EntityDefinition) -> JSONValue {
        var changes = JSONObject()
        for field in [StandardFields.byName["owner_id"]!, StandardFields.byName["tags"]!] + entity.fields {
            let before = old?.value(of: field.name) ?? .null
            let after = new.value(of: field.name)
            if before != after { changes[field.name] = ["old": before.json, "new": after.json] }
        }
        return .object(changes)
    }
}
