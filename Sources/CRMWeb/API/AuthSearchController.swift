import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// Token sign-in and the cross-entity search.
struct AuthSearchController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.post("auth/token", use: token)
        group.post("auth/logout", use: logout)
        group.get("search", use: search)
    }

    @Sendable func token(_ request: Request, context: AppContext) async throws -> Response {
        let body = try await APIResponse.body(request, context: context)
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object")
        }
        var issues: [ValidationIssue] = []
        for key in object.keys where !["email", "password", "workspace", "code"].contains(key) {
            issues.append(ValidationIssue(field: key, code: "unknown_field", message: "unknown property \(key)"))
        }
        let email = object["email"]?.stringValue ?? ""
        let password = object["password"]?.stringValue ?? ""
        if email.isEmpty || email.count > 255 {
            issues.append(ValidationIssue(field: "email", code: "required", message: "email is required"))
        }
        if password.isEmpty || password.count > 1000 {
            issues.append(ValidationIssue(field: "password", code: "required", message: "password is required"))
        }
        if let code = object["code"], code.stringValue == nil || (code.stringValue?.count ?? 0) > 40 {
            issues.append(ValidationIssue(field: "code", code: "type", message: "code must be a one-time or recovery code"))
        }
        if let workspace = object["workspace"], workspace.stringValue == nil {
            issues.append(ValidationIssue(field: "workspace", code: "type", message: "workspace must be a slug"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let signedIn = try await services.auth.login(
            email: email, password: password, workspaceSlug: object["workspace"]?.stringValue, code: object["code"]?.stringValue,
            address: context.remoteAddress,
            client: request.headers[.userAgent])
        return APIResponse.json([
            "token": .string(signedIn.token), "token_type": "Bearer", "expires_at": .string(Timestamps.format(signedIn.expiresAt)),
        ])
    }

    /// `POST /auth/logout`: the token this request carries stops working.
    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        _ = try context.requireScope()
        try await services.auth.logout(token: try AuthMiddleware.bearerToken(request.headers[.authorization] ?? ""))
        return Response(status: .noContent)
    }

    @Sendable func search(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        let limitText = query["limit"] ?? "20"
        guard let limit = Int(limitText) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 100")])
        }
        let entities = query["entity"].map { $0.split(separator: ",").map(String.init) }
        let hits = try await services.search.search(query["q"] ?? "", entities: entities, limit: limit, scope: scope)
        var groups = JSONObject()
        for hit in hits {
            if case .int(let count)? = groups[hit.entity] { groups[hit.entity] = .int(count + 1) } else { groups[hit.entity] = .int(1) }
        }
        let data: [JSONValue] = hits.map { hit in
            [
                "entity": .string(hit.entity), "id": .string(hit.id.lowercased), "title": .string(hit.title),
                "subtitle": hit.subtitle.map { .string($0) } ?? .null, "score": .double(hit.score),
            ]
        }
        return APIResponse.json(["data": .array(data), "groups": .object(groups)])
    }
}
