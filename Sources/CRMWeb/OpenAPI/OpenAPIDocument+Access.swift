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
                "language": ["type": "string"], "time_zone": ["type": "string"], "two_factor": ["type": "boolean"],
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
        // Answers name fields the reader may not see (a profile that hides them): any name there.
        let storedRule: JSONValue = ["enum": ["hidden", "read_only"]]
        schemas["Profile"] = [
            "type": "object", "required": ["id", "name", "is_default", "permissions", "fields", "conditions"],
            "properties": .object(
                JSONObject([
                    ("id", uuidSchema), ("name", ["type": "string"]), ("is_default", ["type": "boolean"]), rules[0],
                    ("fields", ["type": "object", "additionalProperties": ["type": "object", "additionalProperties": storedRule]]),
                    rules[2],
                ])),
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
        let codeBody = body([
            "type": "object", "additionalProperties": false, "required": ["code"],
            "properties": ["code": ["type": "string", "minLength": 1, "maxLength": 40]],
        ])
        paths["/api/v1/me/two-factor"] = [
            "post": operation(
                "beginTwoFactor", summary: "Start two-factor sign-in: a secret for an authenticator app", parameters: [],
                responses: [
                    "201": jsonResponse([
                        "type": "object", "required": ["secret", "otpauth_uri"],
                        "properties": ["secret": ["type": "string"], "otpauth_uri": ["type": "string"]],
                    ])
                ])
        ]
        paths["/api/v1/me/two-factor/confirm"] = [
            "post": operation(
                "confirmTwoFactor", summary: "Turn two-factor sign-in on with a code from the app; recovery codes are shown once",
                parameters: [], requestBody: codeBody,
                responses: [
                    "200": jsonResponse([
                        "type": "object", "required": ["recovery_codes"],
                        "properties": ["recovery_codes": ["type": "array", "items": ["type": "string"]]],
                    ])
                ])
        ]
        paths["/api/v1/me/two-factor/disable"] = [
            "post": operation(
                "disableTwoFactor", summary: "Turn two-factor sign-in off (with a current or recovery code)", parameters: [],
                requestBody: codeBody, responses: deleted)
        ]
        paths["/api/v1/users/{id}/two-factor"] = [
            "delete": operation(
                "resetTwoFactor", summary: "Turn a user's two-factor sign-in off (administrators)", parameters: [idParameter],
                responses: deleted)
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

/// Sign-in, metadata, a record's history and restoring from the trash.
extension OpenAPIDocument {
    static func systemSchemas(into schemas: inout JSONObject) {
        let localized: JSONValue = [
            "oneOf": [["type": "string"], ["type": "object", "additionalProperties": ["type": "string"]]]
        ]
        schemas["FieldDefinition"] = [
            "type": "object",
            "required": [
                "name", "type", "label", "required", "custom", "read_only", "searchable", "sortable", "filter_operators", "max_length",
                "reference_entity", "options",
            ],
            "properties": [
                "name": ["type": "string"], "type": ["enum": .array(FieldType.allCases.map { .string($0.rawValue) })],
                "label": ["type": "object", "additionalProperties": ["type": "string"]], "required": ["type": "boolean"],
                "custom": ["type": "boolean"], "read_only": ["type": "boolean"], "searchable": ["type": "boolean"],
                "sortable": ["type": "boolean"], "filter_operators": ["type": "array", "items": ["type": "string"]],
                "max_length": ["type": ["integer", "null"]], "reference_entity": ["type": ["string", "null"]],
                "options": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["value", "label"],
                        "properties": [
                            "value": ["type": "string"], "label": ["type": "object", "additionalProperties": ["type": "string"]],
                        ],
                    ],
                ],
            ],
        ]
        schemas["FieldInput"] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "name": ["type": "string", "pattern": "^(c_)?[a-z][a-z0-9_]{0,49}$"],
                "type": ["enum": .array(FieldType.allCases.filter { !FieldType.builtinOnly.contains($0) }.map { .string($0.rawValue) })],
                "label": localized, "required": ["type": "boolean"], "searchable": ["type": "boolean"],
                "max_length": ["type": "integer", "minimum": 1, "maximum": 10000], "reference_entity": ["type": "string"],
                "options": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["value"], "additionalProperties": false,
                        "properties": ["value": ["type": "string", "minLength": 1, "maxLength": 100], "label": localized],
                    ],
                ],
            ],
        ]
        let entitySummary: [(String, JSONValue)] = [
            ("name", ["type": "string"]), ("singular", ["type": "string"]),
            ("label", ["type": "object", "additionalProperties": ["type": "string"]]),
            ("plural_label", ["type": "object", "additionalProperties": ["type": "string"]]), ("number_prefix", ["type": "string"]),
        ]
        schemas["EntitySummary"] = [
            "type": "object", "required": ["name", "singular", "label", "plural_label", "number_prefix"],
            "properties": .object(JSONObject(entitySummary)),
        ]
        schemas["EntityDefinition"] = [
            "type": "object", "required": ["name", "singular", "label", "plural_label", "number_prefix", "fields"],
            "properties": .object(JSONObject(entitySummary + [("fields", ["type": "array", "items": ref("FieldDefinition")])])),
        ]
        schemas["SignInAnswer"] = [
            "type": "object", "required": ["token", "token_type", "expires_at"],
            "properties": [
                "token": ["type": "string"], "token_type": ["const": "Bearer"], "expires_at": ["type": "string", "format": "date-time"],
            ],
        ]
    }

    static func systemPaths(entities: [EntityDefinition], into paths: inout JSONObject) {
        var signIn = JSONObject()
        signIn["operationId"] = "signIn"
        signIn["summary"] = "Sign in with e-mail and password for a session token (throttled: 429 with Retry-After)"
        signIn["security"] = []
        signIn["parameters"] = []
        signIn["requestBody"] = body([
            "type": "object", "additionalProperties": false, "required": ["email", "password"],
            "properties": [
                "email": ["type": "string", "minLength": 1, "maxLength": 255],
                "password": ["type": "string", "minLength": 1, "maxLength": 1000],
                "workspace": ["type": "string"], "code": ["type": "string", "minLength": 1, "maxLength": 40],
            ],
        ])
        signIn["responses"] = [
            "200": jsonResponse(ref("SignInAnswer")),
            "default": ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]],
        ]
        paths["/api/v1/auth/token"] = ["post": .object(signIn)]
        paths["/api/v1/auth/logout"] = [
            "post": operation(
                "logout", summary: "End the token this request is sent with", parameters: [],
                responses: ["204": ["description": "Signed out"]])
        ]
        let entityParameter: JSONValue = [
            "name": "entity", "in": "path", "required": true, "schema": ["enum": .array(entities.map { .string($0.pluralName) })],
        ]
        let fieldParameter: JSONValue = ["name": "field", "in": "path", "required": true, "schema": ["type": "string"]]
        paths["/api/v1/metadata/entities"] = [
            "get": operation(
                "listEntities", summary: "The entities of the workspace", parameters: [],
                responses: ["200": jsonResponse(page(ref("EntitySummary"), cursor: false))])
        ]
        paths["/api/v1/metadata/entities/{entity}"] = [
            "get": operation(
                "getEntity", summary: "An entity and its fields, as the caller sees them", parameters: [entityParameter],
                responses: ["200": jsonResponse(ref("EntityDefinition"))])
        ]
        paths["/api/v1/metadata/entities/{entity}/fields"] = [
            "post": operation(
                "addField", summary: "Add a custom field (administrators)", parameters: [entityParameter],
                requestBody: body(ref("FieldInput")),
                responses: ["201": jsonResponse(ref("FieldDefinition"))])
        ]
        paths["/api/v1/metadata/entities/{entity}/fields/{field}"] = [
            "patch": operation(
                "updateField", summary: "Change a custom field, or a built-in choice field's options (administrators)",
                parameters: [entityParameter, fieldParameter], requestBody: body(ref("FieldInput")),
                responses: ["200": jsonResponse(ref("FieldDefinition"))]),
            "delete": operation(
                "deleteField", summary: "Remove a custom field (administrators)", parameters: [entityParameter, fieldParameter],
                responses: ["204": ["description": "Deleted"]]),
        ]
        for entity in entities {
            let name = typeName(entity)
            paths["/api/v1/\(entity.pluralName)/{id}/history"] = [
                "get": operation(
                    "get\(name)History", summary: "A \(entity.name)'s history, newest first",
                    parameters: [
                        idParameter, query("limit", schema: ["type": "integer", "minimum": 1, "maximum": 500]),
                        query("before", schema: uuidSchema),
                    ],
                    responses: ["200": jsonResponse(ref("HistoryPage"))])
            ]
            paths["/api/v1/trash/\(entity.pluralName)/{id}/restore"] = [
                "post": operation(
                    "restore\(name)", summary: "Bring a \(entity.name) back from the trash", parameters: [idParameter],
                    responses: ["200": jsonResponse(ref(name))])
            ]
        }
    }
}
