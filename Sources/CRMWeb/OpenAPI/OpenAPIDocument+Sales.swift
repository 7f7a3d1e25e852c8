import CRMCore

/// The sales endpoints in the OpenAPI document.
extension OpenAPIDocument {
    static let idParameter: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
    static let looseObject: JSONValue = ["type": "object"]

    static func page(_ items: JSONValue, cursor: Bool = true) -> JSONValue {
        var properties: JSONObject = ["data": ["type": "array", "items": items]]
        if cursor { properties["next_cursor"] = ["type": ["string", "null"]] }
        return .object(JSONObject([("type", "object"), ("required", ["data"]), ("properties", .object(properties))]))
    }

    static func body(_ schema: JSONValue, required: Bool = true) -> JSONValue {
        ["required": .bool(required), "content": ["application/json": ["schema": schema]]]
    }

    static func salesSchemas(into schemas: inout JSONObject) {
        let localized: JSONValue = [
            "oneOf": [
                ["type": "string"],
                ["type": "object", "properties": ["en": ["type": "string"], "ru": ["type": "string"], "bg": ["type": "string"]]],
            ]
        ]
        schemas["Stage"] = [
            "type": "object", "required": ["id", "key", "name", "position", "probability", "kind"],
            "properties": [
                "id": ["type": "string", "format": "uuid"], "key": ["type": "string"], "name": ["type": "object"],
                "position": ["type": "integer"], "probability": ["type": "number"], "kind": ["enum": ["open", "won", "lost"]],
            ],
        ]
        schemas["Pipeline"] = [
            "type": "object", "required": ["id", "name", "is_default", "stages"],
            "properties": [
                "id": ["type": "string", "format": "uuid"], "name": ["type": "object"], "position": ["type": "integer"],
                "is_default": ["type": "boolean"], "stages": ["type": "array", "items": ref("Stage")],
            ],
        ]
        schemas["PipelineInput"] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "name": localized,
                "stages": [
                    "type": "array",
                    "items": [
                        "type": "object", "additionalProperties": false,
                        "properties": [
                            "key": ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"], "name": localized,
                            "probability": ["type": "number", "minimum": 0, "maximum": 100], "kind": ["enum": ["open", "won", "lost"]],
                        ],
                    ],
                ],
            ],
        ]
        schemas["TimelineItem"] = [
            "type": "object", "required": ["id", "kind", "at", "entity", "record_id"],
            "properties": [
                "id": ["type": "string"], "kind": ["type": "string"], "at": ["type": "string", "format": "date-time"],
                "entity": ["type": "string"], "record_id": ["type": "string"], "title": ["type": ["string", "null"]],
                "actor_id": ["type": ["string", "null"]],
            ],
        ]
        schemas["Counters"] = [
            "type": "object", "required": ["user_id", "overdue", "due_today", "leads_without_activity", "deals_without_activity", "total"],
            "properties": [
                "user_id": ["type": "string"], "overdue": ["type": "integer"], "due_today": ["type": "integer"],
                "leads_without_activity": ["type": "integer"], "deals_without_activity": ["type": "integer"], "total": ["type": "integer"],
            ],
        ]
        schemas["Notification"] = [
            "type": "object", "required": ["id", "kind", "entity", "record_id", "title", "read", "created_at"],
            "properties": [
                "id": ["type": "string"], "kind": ["type": "string"], "entity": ["type": "string"], "record_id": ["type": "string"],
                "title": ["type": "string"], "details": ["type": "object"], "actor_id": ["type": ["string", "null"]],
                "read": ["type": "boolean"], "read_at": ["type": ["string", "null"]], "created_at": ["type": "string"],
            ],
        ]
        schemas["Duplicate"] = [
            "type": "object", "required": ["id", "score", "reasons"],
            "properties": [
                "id": ["type": "string"], "number": ["type": "string"], "title": ["type": "string"], "score": ["type": "number"],
                "reasons": ["type": "array", "items": ["enum": ["phone", "email", "inn", "name"]]], "record": ["type": "object"],
            ],
        ]
        schemas["Merge"] = [
            "type": "object", "required": ["id", "entity", "survivor_id", "merged_ids"],
            "properties": [
                "id": ["type": "string"], "entity": ["type": "string"], "survivor_id": ["type": "string"],
                "merged_ids": ["type": "array", "items": ["type": "string"]], "undone_at": ["type": ["string", "null"]],
            ],
        ]
        schemas["Link"] = [
            "type": "object", "required": ["link_id", "is_primary"],
            "properties": [
                "link_id": ["type": "string"], "entity": ["type": "string"], "id": ["type": "string"],
                "role": ["type": ["string", "null"]],
                "title": ["type": ["string", "null"]], "is_primary": ["type": "boolean"], "record": ["type": "object"],
            ],
        ]
        schemas["Followers"] = [
            "type": "object", "required": ["followers"], "properties": ["followers": ["type": "array", "items": ["type": "string"]]],
        ]
    }

    /// Paths of one entity's sales endpoints (timeline, copy, follow, duplicates, merge, links).
    static func salesPaths(_ entity: EntityDefinition, into paths: inout JSONObject) {
        let name = typeName(entity)
        let base = "/api/v1/\(entity.pluralName)"
        paths[base + "/{id}/copy"] = [
            "post": operation(
                "copy\(name)", summary: "Copy a \(entity.name), optionally changing some values", parameters: [idParameter],
                requestBody: body(ref(name + "Input"), required: false), responses: ["201": jsonResponse(ref(name))])
        ]
        paths[base + "/{id}/timeline"] = [
            "get": operation(
                "timeline\(name)", summary: "Everything that happened around a \(entity.name), newest first",
                parameters: [idParameter, query("limit", schema: ["type": "integer", "minimum": 1, "maximum": 200]), query("before")],
                responses: ["200": jsonResponse(page(ref("TimelineItem")))])
        ]
        paths[base + "/{id}/follow"] = [
            "post": operation(
                "follow\(name)", summary: "Follow a \(entity.name)", parameters: [idParameter],
                responses: ["200": jsonResponse(ref("Followers"))]),
            "delete": operation(
                "unfollow\(name)", summary: "Stop following a \(entity.name)", parameters: [idParameter],
                responses: ["204": ["description": "No longer followed"]]),
        ]
        paths[base + "/{id}/followers"] = [
            "get": operation(
                "followers\(name)", summary: "Who follows a \(entity.name)", parameters: [idParameter],
                responses: ["200": jsonResponse(ref("Followers"))])
        ]
        guard ["lead", "contact", "company"].contains(entity.name) else { return }
        var probe: [JSONValue] = [
            query("phone"), query("email"), query("name"), query("limit", schema: ["type": "integer", "minimum": 1, "maximum": 100]),
        ]
        if entity.name == "company" { probe.append(query("inn")) }
        paths[base + "/duplicates"] = [
            "get": operation(
                "findDuplicate\(name)", summary: "Likely duplicates of the given values", parameters: probe,
                responses: ["200": jsonResponse(page(ref("Duplicate"), cursor: false))])
        ]
        paths[base + "/{id}/duplicates"] = [
            "get": operation(
                "duplicatesOf\(name)", summary: "Likely duplicates of a \(entity.name)", parameters: [idParameter],
                responses: ["200": jsonResponse(page(ref("Duplicate"), cursor: false))])
        ]
        paths[base + "/merge"] = [
            "post": operation(
                "merge\(name)", summary: "Merge duplicates into one survivor", parameters: [],
                requestBody: body([
                    "type": "object", "required": ["survivor_id", "merged_ids"], "additionalProperties": false,
                    "properties": [
                        "survivor_id": ["type": "string", "format": "uuid"],
                        "merged_ids": ["type": "array", "items": ["type": "string", "format": "uuid"], "minItems": 1, "maxItems": 10],
                        "pick": ["type": "object", "additionalProperties": ["type": "string", "format": "uuid"]],
                    ],
                ]),
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["survivor", "merge"], "properties": ["survivor": ref(name), "merge": ref("Merge")],
                    ])
                ])
        ]
    }

    static func salesPaths(into paths: inout JSONObject) {
        paths["/api/v1/leads/{id}/convert"] = [
            "post": operation(
                "convertLead", summary: "Convert a lead into a contact, a company and a deal, in one transaction",
                parameters: [idParameter],
                requestBody: body([
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "contact": ["oneOf": [["type": "boolean"], ref("ContactInput")]],
                        "company": [
                            "oneOf": [
                                ["type": "boolean"], ref("CompanyInput"),
                                ["type": "object", "required": ["id"], "properties": ["id": ["type": "string", "format": "uuid"]]],
                            ]
                        ],
                        "deal": ["oneOf": [["type": "boolean"], ref("DealInput")]],
                    ],
                ]),
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["lead", "contact", "company", "deal", "company_created"],
                        "properties": [
                            "lead": ref("Lead"), "contact": ["oneOf": [ref("Contact"), ["type": "null"]]],
                            "company": ["oneOf": [ref("Company"), ["type": "null"]]], "deal": ["oneOf": [ref("Deal"), ["type": "null"]]],
                            "company_created": ["type": "boolean"],
                        ],
                    ])
                ])
        ]
        paths["/api/v1/deals/{id}/stages"] = [
            "get": operation(
                "dealStages", summary: "A deal's stays in its stages with the time spent in each", parameters: [idParameter],
                responses: ["200": jsonResponse(page(looseObject, cursor: false))])
        ]
        for relation in RelationEndpoint.all {
            let path = "/api/v1/\(relation.entity)/{id}/\(relation.name)"
            let operationName = relation.entity + "_" + relation.name
            var properties: JSONObject = [
                "id": ["type": "string", "format": "uuid"], "title": ["type": ["string", "null"], "maxLength": 255],
                "is_primary": ["type": ["boolean", "null"]],
            ]
            if relation.targets.count > 1 { properties["entity"] = ["enum": .array(relation.targets.map { .string($0) })] }
            if !relation.roles.isEmpty { properties["role"] = ["enum": .array(relation.roles.map { .string($0.value) } + [.null])] }
            paths[path] = [
                "get": operation(
                    "list_" + operationName, summary: "Linked \(relation.name)", parameters: [idParameter],
                    responses: ["200": jsonResponse(page(ref("Link"), cursor: false))]),
                "post": operation(
                    "link_" + operationName, summary: "Link one of \(relation.name)", parameters: [idParameter],
                    requestBody: body(
                        .object(
                            JSONObject([
                                ("type", "object"), ("required", ["id"]), ("additionalProperties", false),
                                ("properties", .object(properties)),
                            ]))),
                    responses: ["201": jsonResponse(ref("Link"))]),
            ]
            paths[path + "/{other}"] = [
                "delete": operation(
                    "unlink_" + operationName, summary: "Remove a link",
                    parameters: [
                        idParameter, ["name": "other", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]],
                    ],
                    responses: ["204": ["description": "Unlinked"]])
            ]
        }
        paths["/api/v1/merges/{id}/undo"] = [
            "post": operation(
                "undoMerge", summary: "Undo a merge", parameters: [idParameter], responses: ["200": jsonResponse(ref("Merge"))])
        ]
        paths["/api/v1/pipelines"] = [
            "get": operation(
                "listPipelines", summary: "Sales pipelines", parameters: [],
                responses: ["200": jsonResponse(page(ref("Pipeline"), cursor: false))]),
            "post": operation(
                "createPipeline", summary: "Add a pipeline (administrators)", parameters: [], requestBody: body(ref("PipelineInput")),
                responses: ["201": jsonResponse(ref("Pipeline"))]),
        ]
        paths["/api/v1/pipelines/{id}"] = [
            "get": operation(
                "getPipeline", summary: "A pipeline", parameters: [idParameter], responses: ["200": jsonResponse(ref("Pipeline"))]),
            "patch": operation(
                "updatePipeline", summary: "Rename a pipeline or replace its stages", parameters: [idParameter],
                requestBody: body(ref("PipelineInput")), responses: ["200": jsonResponse(ref("Pipeline"))]),
            "delete": operation(
                "deletePipeline", summary: "Delete an empty, non-default pipeline", parameters: [idParameter],
                responses: ["204": ["description": "Deleted"]]),
        ]
        let settings: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "deal_priority_threshold": ["type": ["object", "null"], "additionalProperties": ["type": ["number", "string"]]]
            ],
        ]
        paths["/api/v1/settings/sales"] = [
            "get": operation("salesSettings", summary: "Sales settings", parameters: [], responses: ["200": jsonResponse(settings)]),
            "patch": operation(
                "updateSalesSettings", summary: "Change sales settings (administrators)", parameters: [], requestBody: body(settings),
                responses: ["200": jsonResponse(settings)]),
        ]
        paths["/api/v1/counters"] = [
            "get": operation(
                "counters", summary: "Overdue and due-today activities, leads and deals without a planned activity",
                parameters: [query("user_id", schema: ["type": "string", "format": "uuid"]), query("team", schema: ["type": "boolean"])],
                responses: ["200": jsonResponse(["oneOf": [ref("Counters"), page(ref("Counters"), cursor: false)]])])
        ]
        paths["/api/v1/notifications"] = [
            "get": operation(
                "notifications", summary: "My notifications, newest first",
                parameters: [
                    query("unread", schema: ["type": "boolean"]),
                    query("limit", schema: ["type": "integer", "minimum": 1, "maximum": 200]), query("before"),
                ],
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["data", "unread"],
                        "properties": [
                            "data": ["type": "array", "items": ref("Notification")], "unread": ["type": "integer"],
                            "next_cursor": ["type": ["string", "null"]],
                        ],
                    ])
                ])
        ]
        let changed: JSONValue = ["type": "object", "required": ["changed"], "properties": ["changed": ["type": "integer"]]]
        paths["/api/v1/notifications/read"] = [
            "post": operation(
                "readAllNotifications", summary: "Mark every notification read", parameters: [], responses: ["200": jsonResponse(changed)])
        ]
        paths["/api/v1/notifications/{id}/read"] = [
            "post": operation(
                "readNotification", summary: "Mark a notification read", parameters: [idParameter],
                responses: ["200": jsonResponse(changed)])
        ]
        paths["/api/v1/notifications/{id}/unread"] = [
            "post": operation(
                "unreadNotification", summary: "Mark a notification unread", parameters: [idParameter],
                responses: ["200": jsonResponse(changed)])
        ]
        paths["/api/v1/reports/funnel"] = [
            "get": operation(
                "funnel", summary: "Sales funnel of a pipeline",
                parameters: [
                    query("pipeline", schema: ["type": "string", "format": "uuid"]),
                    query("from", schema: ["type": "string", "format": "date"]),
                    query("to", schema: ["type": "string", "format": "date"]), query("period"),
                    query("owner", schema: ["type": "string", "format": "uuid"]),
                ],
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["pipeline", "deals", "stages", "won", "lost"],
                        "properties": [
                            "pipeline": ["type": "object"], "deals": ["type": "integer"],
                            "stages": ["type": "array", "items": ["type": "object"]],
                            "won": ["type": "object"], "lost": ["type": "object"],
                        ],
                    ])
                ])
        ]
    }
}
