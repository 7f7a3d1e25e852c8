import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The caller, the workspace's users, teams, roles, permission profiles, sharing rules and
/// record shares (`AccessService`; changes are for administrators, shares for whoever may edit
/// the record).
struct UsersController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("me", use: me)
        group.get("me/tokens", use: myTokens)
        group.post("me/tokens", use: createToken)
        group.delete("me/tokens/:id", use: revokeToken)
        group.get("me/sessions", use: mySessions)
        group.delete("me/sessions/:id", use: revokeSession)
        group.get("me/sign-ins", use: mySignIns)
        group.get("tokens", use: allTokens)
        group.delete("tokens/:id", use: revokeAnyToken)
        group.get("users/:id/sign-ins", use: userSignIns)
        group.post("me/two-factor", use: beginTwoFactor)
        group.post("me/two-factor/confirm", use: confirmTwoFactor)
        group.post("me/two-factor/disable", use: disableTwoFactor)
        group.delete("users/:id/two-factor", use: resetTwoFactor)
        group.get("users", use: users)
        group.post("users", use: createUser)
        group.get("users/:id", use: user)
        group.patch("users/:id", use: updateUser)
        group.post("users/:id/reassign", use: reassign)
        group.get("teams", use: teams)
        group.post("teams", use: createTeam)
        group.get("teams/:id", use: team)
        group.patch("teams/:id", use: updateTeam)
        group.delete("teams/:id", use: deleteTeam)
        group.get("roles", use: roles)
        group.post("roles", use: createRole)
        group.get("roles/:id", use: role)
        group.patch("roles/:id", use: updateRole)
        group.delete("roles/:id", use: deleteRole)
        group.get("profiles", use: profiles)
        group.post("profiles", use: createProfile)
        group.get("profiles/:id", use: profile)
        group.patch("profiles/:id", use: updateProfile)
        group.delete("profiles/:id", use: deleteProfile)
        group.get("sharing-rules", use: sharingRules)
        group.post("sharing-rules", use: createSharingRule)
        group.delete("sharing-rules/:id", use: deleteSharingRule)
        group.get(":entity/:id/shares", use: shares)
        group.post(":entity/:id/shares", use: share)
        group.delete(":entity/:id/shares/:share", use: unshare)
    }

    /// A path id; one that is not a UUID names nothing (404).
    func id(_ context: AppContext, _ name: String = "id", kind: String) throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else {
            throw CRMError.notFound("no \(kind) \(context.parameters.get(name) ?? "") in this workspace")
        }
        return id
    }

    static func list(_ items: [JSONValue]) -> Response { APIResponse.json(["data": .array(items)]) }

    // MARK: - Me and users

    @Sendable func me(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(try await services.access.me(scope: try context.requireScope()))
    }

    @Sendable func users(_ request: Request, context: AppContext) async throws -> Response {
        Self.list(try await services.access.users(scope: try context.requireScope()).map(\.json))
    }

    @Sendable func user(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(try await services.access.user(id: try id(context, kind: "user"), scope: try context.requireScope()).json)
    }

    @Sendable func createUser(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(try await services.access.createUser(body, scope: scope).json, status: .created)
    }

    @Sendable func updateUser(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let userID = try id(context, kind: "user")
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(try await services.access.updateUser(id: userID, body, scope: scope).json)
    }

    @Sendable func reassign(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let userID = try id(context, kind: "user")
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(try await services.access.reassign(id: userID, body, scope: scope))
    }

    // MARK: - Tokens, sessions, sign-ins

    func tokenList(_ tokens: [APIToken], scope: AccessScope) -> Response {
        Self.list(tokens.map { AccessService.json($0, current: scope.tokenID) })
    }

    @Sendable func myTokens(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        return tokenList(try await services.access.tokens(kind: .token, userID: nil, scope: scope), scope: scope)
    }

    @Sendable func mySessions(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        return tokenList(try await services.access.tokens(kind: .session, userID: nil, scope: scope), scope: scope)
    }

    /// Administrators: every token and session of the workspace, or one user's (`?user_id=`).
    @Sendable func allTokens(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        guard scope.isAdmin else { throw CRMError.forbidden("only administrators can list the workspace's tokens") }
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        var user: UUID?
        if let text = query["user_id"] {
            guard let id = UUID(uuidString: text) else {
                throw CRMError.validation([ValidationIssue(field: "user_id", code: "format", message: "user_id must be a UUID")])
            }
            user = id
        }
        return tokenList(try await services.access.tokens(kind: nil, userID: user, all: user == nil, scope: scope), scope: scope)
    }

    @Sendable func createToken(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        let made = try await services.access.createToken(body, scope: scope)
        guard case .object(var object) = AccessService.json(made.record, current: scope.tokenID) else { throw CRMError.notFound("") }
        object["token"] = .string(made.token)
        return APIResponse.json(.object(object), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.revokeToken(id: try id(context, kind: "token"), kind: .token, scope: try context.requireScope())
        return Response(status: .noContent)
    }

    @Sendable func revokeSession(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.revokeToken(id: try id(context, kind: "session"), kind: .session, scope: try context.requireScope())
        return Response(status: .noContent)
    }

    @Sendable func revokeAnyToken(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        guard scope.isAdmin else { throw CRMError.forbidden("only administrators can revoke other people's tokens") }
        try await services.access.revokeToken(id: try id(context, kind: "token"), kind: nil, scope: scope)
        return Response(status: .noContent)
    }

    func limit(_ request: Request) throws -> Int {
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        guard let limit = Int(query["limit"] ?? "50") else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 500")])
        }
        return limit
    }

    @Sendable func mySignIns(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        return Self.list(try await services.access.signIns(userID: nil, limit: try limit(request), scope: scope).map(AccessService.json))
    }

    @Sendable func userSignIns(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let user = try id(context, kind: "user")
        return Self.list(try await services.access.signIns(userID: user, limit: try limit(request), scope: scope).map(AccessService.json))
    }

    // MARK: - Two-factor sign-in

    @Sendable func beginTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(try await services.access.beginTwoFactor(scope: try context.requireScope()), status: .created)
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(try await services.access.confirmTwoFactor(body, scope: scope))
    }

    @Sendable func disableTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        try await services.access.disableTwoFactor(body, scope: scope)
        return Response(status: .noContent)
    }

    @Sendable func resetTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.resetTwoFactor(userID: try id(context, kind: "user"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    // MARK: - Teams

    @Sendable func teams(_ request: Request, context: AppContext) async throws -> Response {
        Self.list(try await services.access.teams(scope: try context.requireScope()).map(AccessService.json))
    }

    @Sendable func team(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(
            AccessService.json(try await services.access.team(id: try id(context, kind: "team"), scope: try context.requireScope())))
    }

    @Sendable func createTeam(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveTeam(id: nil, body, scope: scope)), status: .created)
    }

    @Sendable func updateTeam(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let teamID = try id(context, kind: "team")
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveTeam(id: teamID, body, scope: scope)))
    }

    @Sendable func deleteTeam(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.deleteTeam(id: try id(context, kind: "team"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    // MARK: - Roles

    @Sendable func roles(_ request: Request, context: AppContext) async throws -> Response {
        Self.list(try await services.access.roles(scope: try context.requireScope()).map(AccessService.json))
    }

    @Sendable func role(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(
            AccessService.json(try await services.access.role(id: try id(context, kind: "role"), scope: try context.requireScope())))
    }

    @Sendable func createRole(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveRole(id: nil, body, scope: scope)), status: .created)
    }

    @Sendable func updateRole(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let roleID = try id(context, kind: "role")
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveRole(id: roleID, body, scope: scope)))
    }

    @Sendable func deleteRole(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.deleteRole(id: try id(context, kind: "role"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    // MARK: - Profiles

    @Sendable func profiles(_ request: Request, context: AppContext) async throws -> Response {
        Self.list(try await services.access.profiles(scope: try context.requireScope()).map(AccessService.json))
    }

    @Sendable func profile(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(
            AccessService.json(try await services.access.profile(id: try id(context, kind: "profile"), scope: try context.requireScope())))
    }

    @Sendable func createProfile(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveProfile(id: nil, body, scope: scope)), status: .created)
    }

    @Sendable func updateProfile(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let profileID = try id(context, kind: "profile")
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.saveProfile(id: profileID, body, scope: scope)))
    }

    @Sendable func deleteProfile(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.deleteProfile(id: try id(context, kind: "profile"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    // MARK: - Sharing

    @Sendable func sharingRules(_ request: Request, context: AppContext) async throws -> Response {
        Self.list(try await services.access.sharingRules(scope: try context.requireScope()).map(AccessService.json))
    }

    @Sendable func createSharingRule(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(AccessService.json(try await services.access.createSharingRule(body, scope: scope)), status: .created)
    }

    @Sendable func deleteSharingRule(_ request: Request, context: AppContext) async throws -> Response {
        try await services.access.deleteSharingRule(id: try id(context, kind: "sharing rule"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    @Sendable func shares(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let recordID = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        return Self.list(try await services.access.shares(entity: entity, id: recordID, scope: scope).map(AccessService.json))
    }

    @Sendable func share(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let recordID = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        let body = try await APIResponse.body(request, context: context)
        return APIResponse.json(
            AccessService.json(try await services.access.share(entity: entity, id: recordID, body, scope: scope)), status: .created)
    }

    @Sendable func unshare(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let recordID = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        let shareID = try id(context, "share", kind: "share")
        try await services.access.unshare(entity: entity, id: recordID, shareID: shareID, scope: scope)
        return Response(status: .noContent)
    }
}
