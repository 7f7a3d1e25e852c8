import CRMCore

/// The access-control endpoints in the OpenAPI document: users, teams, roles, profiles,
/// sharing rules, record shares and the caller.
extension OpenAPIDocument {
    static let uuidSchema: JSONValue = ["type": "string", "format": "uuid"]
    static let nullableUUID: JSONValue = ["type": ["string", "null"], "format": "uuid"]
    static let uuidList: JSONValue = ["type": "array", "items": uuidSchema, "maxItems": 1000]

    static func accessSchemas(entities: [EntityDefinition], into schemas: inout JSONObject) {
        let languages: JSONValue = ["enum": ["en", "ru", "bg"]]
        schemas["User"] = [
            "type": "object",
            "required": ["id", "email", "name", "is_admin", "is_active", "role_id", "team_ids", "profile_ids", "language", "time_zone"],
            "properties": [
                "id": uuidSchema, "email": ["type": "string"], "name": ["type": "string"], "is_admin": ["type": "boolean"],
                "is_active": ["type": "boolean"], "role_id": nullableUUID, "team_ids": uuidList, "profile_ids": uuidList,
                "language": ["type": "string"], "time_zone": ["type": "string"],
            ],
        ]
        let userProperties: JSONObject = [
            "email": ["type": "string", "format": "email", "maxLength": 255], "name": ["type": "string", "minLength": 1, "maxLength": 200],
            "password": ["type": "string", "minLength": 8, "maxLength": 72], "is_admin": ["type": "boolean"],
            "is_active": ["type": "boolean"], "role_id": nullableUUID, "team_ids": uuidList, "profile_ids": uuidList,
            "language": languages, "time_zone": ["type": "string", "example": "Europe/Moscow"],
        ]
        schemas["UserInput"] = [
            "type": "object", "additionalProperties": false, "required": ["email", "name", "password"],
            "properties": .object(userProperties),
        ]
        schemas["UserPatch"] = ["type": "object", "additionalProperties": false, "properties": .object(userProperties)]
        schemas["Team"] = [
            "type": "object", "required": ["id", "name", "head_id", "member_ids"],
            "properties": ["id": uuidSchema, "name": ["type": "string"], "head_id": nullableUUID, "member_ids": uuidList],
        ]
        schemas["TeamInput"] = [
            "type": "object", "additionalProperties": false,
            "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 200], "head_id": nullableUUID, "member_ids": uuidList],
        ]
        schemas["Role"] = [
            "type": "object", "required": ["id", "name", "parent_id"],
            "properties": ["id": uuidSchema, "name": ["type": "string"], "parent_id": nullableUUID],
        ]
        schemas["RoleInput"] = [
            "type": "object", "additionalProperties": false,
            "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 200], "parent_id": nullableUUID],
        ]
        let scopes: JSONValue = ["enum": .array(AccessLevel.allCases.map { .string($0.rawValue) })]
        var actions = JSONObject()
        for action in AccessAction.allCases { actions[action.rawValue] = scopes }
        let actionMap: JSONValue = ["type": "object", "additionalProperties": false, "properties": .object(actions)]
        var permissionEntities = JSONObject()
        var fieldEntities = JSONObject()
        var conditionEntities = JSONObject()
        let keyList: JSONValue = ["type": "array", "items": ["type": "string"], "minItems": 1]
        let condition: JSONValue = [
            "type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false,
            "properties": [
                "stage_before": ["type": "string", "minLength": 1], "stage_in": keyList, "stage_not_in": keyList, "status_in": keyList,
                "status_not_in": keyList,
            ],
        ]
        for entity in entities {
            permissionEntities[entity.pluralName] = actionMap
            var fields = JSONObject()
            for field in entity.fields { fields[field.name] = ["enum": ["hidden", "read_only"]] }
            fieldEntities[entity.pluralName] = ["type": "object", "additionalProperties": false, "properties": .object(fields)]
            let names = Set(entity.fieldNames)
            if names.contains("stage") || names.contains("status") {
                conditionEntities[entity.pluralName] = [
                    "type": "object", "additionalProperties": false, "properties": ["edit": condition, "delete": condition],
                ]
            }
        }
        let rules: [(String, JSONValue)] = [
            ("permissions", ["type": "object", "additionalProperties": false, "properties": .object(permissionEntities)]),
            ("fields", ["type": "object", "additionalProperties": false, "properties": .object(fieldEntities)]),
            ("conditions", ["type": "object", "additionalProperties": false, "properties": .object(conditionEntities)]),
        ]
        schemas["Profile"] = [
            "type": "object", "required": ["id", "name", "is_default", "permissions", "fields", "conditions"],
            "properties": .object(
                JSONObject([("id", uuidSchema), ("name", ["type": "string"]), ("is_default", ["type": "boolean"])] + rules)),
        ]
        schemas["ProfileInput"] = [
            "type": "object", "additionalProperties": false,
            "properties": .object(JSONObject([("name", ["type": "string", "minLength": 1, "maxLength": 200])] + rules)),
        ]
        schemas["Share"] = [
            "type": "object", "required": ["id", "user_id", "team_id", "access"],
            "properties": ["id": uuidSchema, "user_id": nullableUUID, "team_id": nullableUUID, "access": ["enum": ["read", "edit"]]],
        ]
        schemas["ShareInput"] = [
            "type": "object", "additionalProperties": false, "required": ["access"],
            "properties": ["user_id": uuidSchema, "team_id": uuidSchema, "access": ["enum": ["read", "edit"]]],
        ]
        let entityNames: JSONValue = ["enum": .array(entities.map { .string($0.pluralName) })]
        schemas["SharingRule"] = [
            "type": "object", "required": ["id", "entity", "owner_team_id", "team_id", "access"],
            "properties": [
                "id": uuidSchema, "entity": ["type": "string"], "owner_team_id": uuidSchema, "team_id": uuidSchema,
                "access": ["enum": ["read", "edit"]],
            ],
        ]
        schemas["SharingRuleInput"] = [
            "type": "object", "additionalProperties": false, "required": ["entity", "owner_team_id", "team_id", "access"],
            "properties": [
                "entity": entityNames, "owner_team_id": uuidSchema, "team_id": uuidSchema, "access": ["enum": ["read", "edit"]],
            ],
        ]
        let nullableTime: JSONValue = ["type": ["string", "null"], "format": "date-time"]
        schemas["Token"] = [
            "type": "object",
            "required": ["id", "user_id", "kind", "name", "read_only", "created_at", "expires_at", "last_used_at", "client", "current"],
            "properties": [
                "id": uuidSchema, "user_id": uuidSchema, "kind": ["enum": ["session", "token"]], "name": ["type": "string"],
                "read_only": ["type": "boolean"], "created_at": ["type": "string", "format": "date-time"], "expires_at": nullableTime,
                "last_used_at": nullableTime, "client": ["type": ["string", "null"]], "current": ["type": "boolean"],
                "token": ["type": "string", "description": "the secret, in the answer to POST /me/tokens only"],
            ],
        ]
        schemas["TokenInput"] = [
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100], "read_only": ["type": "boolean"],
                "expires_at": ["type": ["string", "null"], "format": "date-time"],
            ],
        ]
        schemas["SignIn"] = [
            "type": "object", "required": ["id", "at", "succeeded", "reason", "address"],
            "properties": [
                "id": uuidSchema, "at": ["type": "string", "format": "date-time"], "succeeded": ["type": "boolean"],
                "reason": ["type": ["string", "null"]], "address": ["type": "string"],
            ],
        ]
        schemas["Me"] = [
            "allOf": [
                ref("User"),
                [
                    "type": "object", "required": ["permissions", "fields", "conditions", "read_only_token"],
                    "properties": [
                        "permissions": ["type": "object", "additionalProperties": ["type": "object", "additionalProperties": scopes]],
                        "fields": ["type": "object"], "conditions": ["type": "object"], "read_only_token": ["type": "boolean"],
                    ],
                ],
            ]
        ]
    }

    static func accessPaths(entities: [EntityDefinition], into paths: inout JSONObject) {
        paths["/api/v1/me"] = [
            "get": operation("me", summary: "The caller and what they may do", parameters: [], responses: ["200": jsonResponse(ref("Me"))])
        ]
        let deleted: JSONObject = ["204": ["description": "Deleted"]]
        let limit = query("limit", schema: ["type": "integer", "minimum": 1, "maximum": 500])
        paths["/api/v1/me/tokens"] = [
            "get": operation(
                "listMyTokens", summary: "My API tokens", parameters: [],
                responses: ["200": jsonResponse(page(ref("Token"), cursor: false))]),
            "post": operation(
                "createMyToken", summary: "Make an API token (its secret is shown once)", parameters: [],
                requestBody: body(ref("TokenInput")),
                responses: ["201": jsonResponse(ref("Token"))]),
        ]
        paths["/api/v1/me/tokens/{id}"] = [
            "delete": operation("revokeMyToken", summary: "Revoke one of my API tokens", parameters: [idParameter], responses: deleted)
        ]
        paths["/api/v1/me/sessions"] = [
            "get": operation(
                "listMySessions", summary: "My signed-in sessions", parameters: [],
                responses: ["200": jsonResponse(page(ref("Token"), cursor: false))])
        ]
        paths["/api/v1/me/sessions/{id}"] = [
            "delete": operation("revokeMySession", summary: "Sign one of my sessions out", parameters: [idParameter], responses: deleted)
        ]
        paths["/api/v1/me/sign-ins"] = [
            "get": operation(
                "mySignIns", summary: "My sign-ins and failed attempts", parameters: [limit],
                responses: ["200": jsonResponse(page(ref("SignIn"), cursor: false))])
        ]
        paths["/api/v1/tokens"] = [
            "get": operation(
                "listTokens", summary: "Every token and session of the workspace, or one user's (administrators)",
                parameters: [query("user_id", schema: uuidSchema)], responses: ["200": jsonResponse(page(ref("Token"), cursor: false))])
        ]
        paths["/api/v1/tokens/{id}"] = [
            "delete": operation(
                "revokeToken", summary: "Revoke any token or session (administrators)", parameters: [idParameter], responses: deleted)
        ]
        paths["/api/v1/users/{id}/sign-ins"] = [
            "get": operation(
                "userSignIns", summary: "A user's sign-ins and failed attempts (administrators, or the user)",
                parameters: [idParameter, limit],
                responses: ["200": jsonResponse(page(ref("SignIn"), cursor: false))])
        ]
        func collection(_ path: String, _ name: String, _ label: String) {
            paths["/api/v1/\(path)"] = [
                "get": operation(
                    "list\(name)s", summary: "\(label)s of the workspace", parameters: [],
                    responses: ["200": jsonResponse(page(ref(name), cursor: false))]),
                "post": operation(
                    "create\(name)", summary: "Add a \(label.lowercased()) (administrators)", parameters: [],
                    requestBody: body(ref(name + "Input")), responses: ["201": jsonResponse(ref(name))]),
            ]
        }
        func item(_ path: String, _ name: String, _ label: String, patch: String, delete: Bool) {
            var operations: JSONObject = [
                "get": operation(
                    "get\(name)", summary: "A \(label.lowercased())", parameters: [idParameter], responses: ["200": jsonResponse(ref(name))]
                ),
                "patch": operation(
                    "update\(name)", summary: "Change a \(label.lowercased()) (administrators)", parameters: [idParameter],
                    requestBody: body(ref(patch)), responses: ["200": jsonResponse(ref(name))]),
            ]
            if delete {
                operations["delete"] = operation(
                    "delete\(name)", summary: "Delete a \(label.lowercased()) (administrators)", parameters: [idParameter],
                    responses: deleted)
            }
            paths["/api/v1/\(path)/{id}"] = .object(operations)
        }
        collection("users", "User", "User")
        item("users", "User", "User", patch: "UserPatch", delete: false)
        paths["/api/v1/users/{id}/reassign"] = [
            "post": operation(
                "reassignUser", summary: "Give everything a user owns to another user (administrators)", parameters: [idParameter],
                requestBody: body([
                    "type": "object", "additionalProperties": false, "required": ["to_user_id"],
                    "properties": [
                        "to_user_id": uuidSchema,
                        "entities": ["type": "array", "minItems": 1, "items": ["enum": .array(entities.map { .string($0.pluralName) })]],
                    ],
                ]),
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["reassigned"],
                        "properties": ["reassigned": ["type": "object", "additionalProperties": ["type": "integer"]]],
                    ])
                ])
        ]
        collection("teams", "Team", "Team")
        item("teams", "Team", "Team", patch: "TeamInput", delete: true)
        collection("roles", "Role", "Role")
        item("roles", "Role", "Role", patch: "RoleInput", delete: true)
        collection("profiles", "Profile", "Profile")
        item("profiles", "Profile", "Profile", patch: "ProfileInput", delete: true)
        collection("sharing-rules", "SharingRule", "Sharing rule")
        paths["/api/v1/sharing-rules/{id}"] = [
            "delete": operation(
                "deleteSharingRule", summary: "Delete a sharing rule (administrators)", parameters: [idParameter], responses: deleted)
        ]
        let shareID: JSONValue = ["name": "share", "in": "path", "required": true, "schema": uuidSchema]
        for entity in entities {
            let name = typeName(entity)
            paths["/api/v1/\(entity.pluralName)/{id}/shares"] = [
                "get": operation(
                    "list\(name)Shares", summary: "Who a \(entity.name) is shared with", parameters: [idParameter],
                    responses: ["200": jsonResponse(page(ref("Share"), cursor: false))]),
                "post": operation(
                    "share\(name)", summary: "Share a \(entity.name) with a user or a team (whoever may edit it)",
                    parameters: [idParameter], requestBody: body(ref("ShareInput")), responses: ["201": jsonResponse(ref("Share"))]),
            ]
            paths["/api/v1/\(entity.pluralName)/{id}/shares/{share}"] = [
                "delete": operation(
                    "unshare\(name)", summary: "Stop sharing a \(entity.name)", parameters: [idParameter, shareID], responses: deleted)
            ]
        }
    }
}
