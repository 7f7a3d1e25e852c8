import CRMCore
import CRMServices
import Hummingbird

/// Entity and field definitions; custom fields are added, changed and removed here.
struct MetadataController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("metadata/entities", use: entities)
        group.get("metadata/entities/:entity", use: entity)
        group.post("metadata/entities/:entity/fields", use: addField)
        group.patch("metadata/entities/:entity/fields/:field", use: updateField)
        group.delete("metadata/entities/:entity/fields/:field", use: deleteField)
    }

    @Sendable func entities(_ request: Request, context: AppContext) async throws -> Response {
        let all = try await services.metadata.entities(scope: context.requireScope())
        let data =
            BuiltinEntities.all.compactMap { all[$0.pluralName] }.map { MetadataJSON.entity($0, withFields: false) }
            + [SystemEntities.user, SystemEntities.workspace].map { MetadataJSON.entity($0, withFields: false) }
        return APIResponse.json(["data": .array(data)])
    }

    @Sendable func entity(_ request: Request, context: AppContext) async throws -> Response {
        let name = try context.parameters.require("entity")
        if let system = [SystemEntities.user, SystemEntities.workspace].first(where: { $0.pluralName == name }) {
            return APIResponse.json(MetadataJSON.entity(system, withFields: true, isRecord: false))
        }
        let scope = try context.requireScope()
        // As the caller sees it: hidden fields left out, read-only ones marked so.
        let definition = try await services.metadata.entity(name, scope: scope)
        return APIResponse.json(
            MetadataJSON.entity(
                definition.hiding(scope.hiddenFields(definition.pluralName)), withFields: true,
                readOnly: scope.readOnlyFields(definition.pluralName)))
    }

    @Sendable func addField(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let field = try await services.metadata.addField(
            try await APIResponse.body(request, context: context), entity: entity, scope: scope)
        return APIResponse.json(
            MetadataJSON.field(field), status: .created, headers: [.location: "/api/v1/metadata/entities/\(entity)/fields/\(field.name)"])
    }

    @Sendable func updateField(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let field = try await services.metadata.updateField(
            try await APIResponse.body(request, context: context), name: context.parameters.require("field"),
            entity: context.parameters.require("entity"), scope: scope)
        return APIResponse.json(MetadataJSON.field(field))
    }

    @Sendable func deleteField(_ request: Request, context: AppContext) async throws -> Response {
        try await services.metadata.deleteField(
            name: context.parameters.require("field"), entity: context.parameters.require("entity"), scope: context.requireScope())
        return Response(status: .noContent)
    }
}

/// The API form of definitions.
enum MetadataJSON {
    static func entity(_ entity: EntityDefinition, withFields: Bool, isRecord: Bool = true, readOnly: Set<String> = []) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(entity.pluralName)
        object["singular"] = .string(entity.name)
        object["label"] = entity.label.json
        object["plural_label"] = entity.pluralLabel.json
        object["number_prefix"] = .string(entity.numberPrefix)
        if withFields {
            object["fields"] = .array(
                (isRecord ? entity.allFields : entity.fields).map { definition in
                    guard readOnly.contains(definition.name), case .object(var json) = field(definition) else { return field(definition) }
                    json["read_only"] = true
                    return .object(json)
                })
        }
        return .object(object)
    }

    static func field(_ field: FieldDefinition) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(field.name)
        object["type"] = .string(field.type.rawValue)
        object["label"] = field.label.json
        object["required"] = .bool(field.isRequired)
        object["custom"] = .bool(field.isCustom)
        object["read_only"] = .bool(field.isSystem)
        object["searchable"] = .bool(field.isSearchable)
        object["sortable"] = .bool(field.isSortable)
        object["filter_operators"] = .array(field.type.filterOperators.map { .string($0.rawValue) })
        object["max_length"] = field.maxLength.map { .int(Int64($0)) } ?? .null
        object["reference_entity"] = field.referenceEntity.map { .string($0) } ?? .null
        object["options"] = .array(field.options.map(\.json))
        return .object(object)
    }
}
