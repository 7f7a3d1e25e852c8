import CRMCore

/// Builds the OpenAPI 3.1 document from the metadata a workspace has, custom fields included.
enum OpenAPIDocument {
    static func make(entities: [EntityDefinition]) -> JSONValue {
        var paths = JSONObject()
        var schemas = JSONObject()
        schemas["Problem"] = problemSchema
        schemas["Money"] = [
            "type": "object", "required": ["amount", "currency"],
            "properties": ["amount": ["type": "number"], "currency": ["type": "string", "pattern": "^[A-Z]{3}$"]],
        ]
        schemas["Address"] = .object(
            JSONObject([
                ("type", "object"), ("additionalProperties", false),
                ("properties", .object(JSONObject(Address.keys.map { ($0, ["type": ["string", "null"]]) }))),
            ]))
        schemas["RepeatRule"] = [
            "type": "object", "required": ["frequency"], "additionalProperties": false,
            "properties": [
                "frequency": ["enum": .array(RepeatRule.Frequency.allCases.map { .string($0.rawValue) })],
                "interval": ["type": "integer", "minimum": 1, "maximum": 99],
                "weekdays": ["type": "array", "items": ["enum": .array(RepeatRule.Weekday.allCases.map { .string($0.rawValue) })]],
                "until": ["type": "string", "format": "date"], "count": ["type": "integer", "minimum": 1, "maximum": 1000],
                "never_ends": ["type": "boolean"],
            ],
        ]
        for entity in entities {
            let name = typeName(entity)
            schemas[name] = recordSchema(entity)
            schemas[name + "Input"] = inputSchema(entity)
            schemas[name + "Page"] = [
                "type": "object", "required": ["data", "next_cursor"],
                "properties": [
                    "data": ["type": "array", "items": ref(name)], "next_cursor": ["type": ["string", "null"]],
                    "total": ["type": "integer"],
                ],
            ]
            paths["/api/v1/\(entity.pluralName)"] = collectionPaths(entity)
            paths["/api/v1/\(entity.pluralName)/{id}"] = itemPaths(entity)
            paths["/api/v1/\(entity.pluralName)/batch"] = batchPaths(entity)
            salesPaths(entity, into: &paths)
        }
        salesSchemas(into: &schemas)
        salesPaths(into: &paths)
        accessSchemas(entities: entities, into: &schemas)
        accessPaths(entities: entities, into: &paths)
        systemSchemas(into: &schemas)
        systemPaths(entities: entities, into: &paths)
        let nullableText: JSONValue = ["type": ["string", "null"]]
        let uuid: JSONValue = ["type": "string", "format": "uuid"]
        let time: JSONValue = ["type": "string", "format": "date-time"]
        let entityName: JSONValue = ["enum": .array(entities.map { .string($0.pluralName) })]
        schemas["SearchResults"] = [
            "type": "object", "required": ["data", "groups"],
            "properties": [
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["entity", "id", "title", "subtitle", "score"],
                        "properties": [
                            "entity": entityName, "id": uuid, "title": ["type": "string"], "subtitle": nullableText,
                            "score": ["type": "number"],
                        ],
                    ],
                ],
                "groups": ["type": "object", "additionalProperties": ["type": "integer", "minimum": 1]],
            ],
        ]
        schemas["TrashPage"] = [
            "type": "object", "required": ["data"],
            "properties": [
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["entity", "id", "number", "title", "deleted_at", "purge_after"],
                        "properties": [
                            "entity": entityName, "id": uuid, "number": ["type": "string"], "title": ["type": "string"],
                            "deleted_at": time, "purge_after": time,
                        ],
                    ],
                ]
            ],
        ]
        schemas["HistoryPage"] = [
            "type": "object", "required": ["data", "next_before"],
            "properties": [
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["id", "entity", "record_id", "action", "actor_id", "at", "title", "changes"],
                        "properties": [
                            "id": uuid, "entity": ["type": "string"], "record_id": uuid, "action": ["type": "string"],
                            "actor_id": ["type": ["string", "null"], "format": "uuid"], "at": time, "title": nullableText,
                            "changes": ["type": "object"],
                        ],
                    ],
                ],
                "next_before": ["type": ["string", "null"], "format": "uuid"],
            ],
        ]
        let limit: (Int) -> JSONValue = { query("limit", schema: ["type": "integer", "minimum": 1, "maximum": .int(Int64($0))]) }
        paths["/api/v1/search"] = [
            "get": operation(
                "search", summary: "Search across entities, as typed (what the caller may read)",
                parameters: [
                    query("q", required: true, schema: ["type": "string", "minLength": 1, "maxLength": 200]), limit(100), query("entity"),
                ],
                responses: ["200": jsonResponse(ref("SearchResults"))])
        ]
        paths["/api/v1/trash"] = [
            "get": operation(
                "listTrash", summary: "Records in the trash", parameters: [query("entity", schema: entityName), limit(500)],
                responses: ["200": jsonResponse(ref("TrashPage"))])
        ]
        paths["/api/v1/history"] = [
            "get": operation(
                "listHistory", summary: "Workspace history (of the records the caller may read)",
                parameters: [
                    query("entity", schema: entityName), query("user", schema: uuid), query("action"), query("from"), query("to"),
                    limit(500),
                    query("before", schema: uuid),
                ],
                responses: ["200": jsonResponse(ref("HistoryPage"))])
        ]
        return [
            "openapi": "3.1.0",
            "info": ["title": "Clientele API", "version": "1", "description": "CRM records, metadata, history, trash and search."],
            "servers": [["url": "/"]],
            "security": [["bearer": []]],
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            ],
        ]
    }

    static func typeName(_ entity: EntityDefinition) -> String {
        entity.name.prefix(1).uppercased() + entity.name.dropFirst()
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static let problemSchema: JSONValue = [
        "type": "object", "required": ["type", "title", "status", "detail"],
        "properties": [
            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
            "current_version": ["type": "integer"],
            "errors": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["field", "code", "message"],
                    "properties": ["field": ["type": "string"], "code": ["type": "string"], "message": ["type": "string"]],
                ],
            ],
        ],
    ]

    /// The JSON Schema of one field's value as the API returns it (nullable unless always set).
    static func valueSchema(_ field: FieldDefinition, nullable: Bool) -> JSONValue {
        func typed(_ type: String, _ extra: [(String, JSONValue)] = []) -> JSONValue {
            .object(JSONObject([("type", nullable ? [.string(type), "null"] : .string(type))] + extra))
        }
        let description: (String, JSONValue) = ("description", .string(field.label["en"]))
        switch field.type {
        case .text, .longText, .email, .phone, .url:
            return typed("string", [description] + (field.maxLength.map { [("maxLength", .int(Int64($0)))] } ?? []))
        case .choice:
            let values: [JSONValue] = field.options.map { .string($0.value) } + (nullable ? [.null] : [])
            return .object(JSONObject([description, ("enum", .array(values))]))
        case .integer: return typed("integer", [description])
        case .decimal: return typed("number", [description])
        case .percent: return typed("number", [description, ("minimum", 0), ("maximum", 100)])
        case .money: return nullable ? ["oneOf": [ref("Money"), ["type": "null"]]] : ref("Money")
        case .boolean: return typed("boolean", [description])
        case .date: return typed("string", [description, ("format", "date")])
        case .datetime: return typed("string", [description, ("format", "date-time")])
        case .multiChoice:
            return typed("array", [description, ("items", ["enum": .array(field.options.map { .string($0.value) })])])
        case .tags: return typed("array", [description, ("items", ["type": "string"])])
        case .reference, .user, .uuid: return typed("string", [description, ("format", "uuid")])
        case .address: return nullable ? ["oneOf": [ref("Address"), ["type": "null"]]] : ref("Address")
        case .recurrence: return nullable ? ["oneOf": [ref("RepeatRule"), ["type": "null"]]] : ref("RepeatRule")
        }
    }

    static func recordSchema(_ entity: EntityDefinition) -> JSONValue {
        var properties = JSONObject()
        let alwaysSet: Set<String> = ["id", "number", "created_at", "updated_at", "version", "tags"]
        for field in entity.allFields {
            var schema = valueSchema(field, nullable: !alwaysSet.contains(field.name))
            if field.isSystem, case .object(var object) = schema {
                object["readOnly"] = true
                schema = .object(object)
            }
            properties[field.name] = schema
        }
        return .object(
            JSONObject([
                ("type", "object"), ("required", .array(entity.allFields.map { .string($0.name) })), ("properties", .object(properties)),
            ]))
    }

    static func inputSchema(_ entity: EntityDefinition) -> JSONValue {
        var properties = JSONObject()
        for field in entity.allFields where !field.isSystem {
            properties[field.name] = valueSchema(field, nullable: !field.isRequired)
        }
        return .object(JSONObject([("type", "object"), ("additionalProperties", false), ("properties", .object(properties))]))
    }

    static func collectionPaths(_ entity: EntityDefinition) -> JSONValue {
        let name = typeName(entity)
        var parameters: [JSONValue] = [
            query("limit", schema: ["type": "integer", "minimum": 1, "maximum": .int(Int64(ListQuery.maximumLimit))]),
            query("cursor"), query("sort"), query("q"), query("count", schema: ["type": "boolean"]),
        ]
        for field in entity.allFields where field.type != .address && field.type != .longText {
            parameters.append(query(field.name))
        }
        return [
            "get": operation(
                "list\(name)", summary: "List \(entity.pluralName)", parameters: parameters,
                responses: ["200": jsonResponse(ref(name + "Page"))]),
            "post": operation(
                "create\(name)", summary: "Create a \(entity.name)",
                parameters: ["lead", "contact", "company"].contains(entity.name)
                    ? [query("on_duplicate", schema: ["enum": ["allow", "refuse"]])] : [],
                requestBody: ["required": true, "content": ["application/json": ["schema": ref(name + "Input")]]],
                responses: ["201": jsonResponse(ref(name))]),
        ]
    }

    static func batchPaths(_ entity: EntityDefinition) -> JSONValue {
        let name = typeName(entity)
        let created: JSONValue = [
            "type": "object", "required": ["data"],
            "properties": [
                "data": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["id", "number"],
                        "properties": [
                            "id": ["type": "string", "format": "uuid"], "number": ["type": "string"],
                            "duplicates": [
                                "type": "array",
                                "items": [
                                    "type": "object", "required": ["id", "reasons"],
                                    "properties": [
                                        "id": ["type": "string", "format": "uuid"],
                                        "reasons": ["type": "array", "items": ["enum": ["phone", "email", "inn", "name"]]],
                                    ],
                                ],
                            ],
                        ],
                    ],
                ]
            ],
        ]
        return [
            "post": operation(
                "createMany\(name)", summary: "Create up to 1,000 \(entity.pluralName) in one transaction (all or none)", parameters: [],
                requestBody: [
                    "required": true,
                    "content": [
                        "application/json": [
                            "schema": [
                                "type": "object", "required": ["records"], "additionalProperties": false,
                                "properties": [
                                    "records": [
                                        "type": "array", "items": ref(name + "Input"), "minItems": 1,
                                        "maxItems": .int(Int64(RecordsController.batchLimit)),
                                    ]
                                ],
                            ]
                        ]
                    ],
                ],
                responses: ["201": jsonResponse(created)])
        ]
    }

    static func itemPaths(_ entity: EntityDefinition) -> JSONValue {
        let name = typeName(entity)
        let id: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        return [
            "get": operation("get\(name)", summary: "Get a \(entity.name)", parameters: [id], responses: ["200": jsonResponse(ref(name))]),
            "patch": operation(
                "update\(name)", summary: "Change a \(entity.name); If-Match guards against lost updates",
                parameters: [id, ["name": "If-Match", "in": "header", "required": false, "schema": ["type": "string"]]],
                requestBody: ["required": true, "content": ["application/json": ["schema": ref(name + "Input")]]],
                responses: ["200": jsonResponse(ref(name))]),
            "delete": operation(
                "delete\(name)", summary: "Move a \(entity.name) to the trash", parameters: [id],
                responses: ["204": ["description": "Deleted"]]),
        ]
    }

    static func query(_ name: String, required: Bool = false, schema: JSONValue = ["type": "string"]) -> JSONValue {
        ["name": .string(name), "in": "query", "required": .bool(required), "schema": schema]
    }

    static func jsonResponse(_ schema: JSONValue) -> JSONValue {
        ["description": "OK", "content": ["application/json": ["schema": schema]]]
    }

    static func operation(
        _ id: String, summary: String, parameters: [JSONValue], requestBody: JSONValue? = nil, responses: JSONObject
    ) -> JSONValue {
        var all = responses
        all["default"] = ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]]
        var object = JSONObject([("operationId", .string(id)), ("summary", .string(summary)), ("parameters", .array(parameters))])
        if let requestBody { object["requestBody"] = requestBody }
        object["responses"] = .object(all)
        return .object(object)
    }
}
