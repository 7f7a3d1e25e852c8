import CRMCore
import CRMServices
import CRMStorage
import Hummingbird

/// The caller and the workspace's users (for owner pickers and filters).
struct UsersController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("me", use: me)
        group.get("users", use: users)
    }

    @Sendable func me(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        guard let userID = scope.userID,
            let user = try await services.database.read(
                workspace: scope.workspaceID,
                { connection in try await UserStore.find(id: userID, workspaceID: scope.workspaceID, on: connection) })
        else { throw CRMError.unauthenticated("the token's user no longer exists") }
        return APIResponse.json(Self.json(user))
    }

    @Sendable func users(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let users = try await services.database.read(workspace: scope.workspaceID) { connection in
            try await UserStore.list(workspaceID: scope.workspaceID, on: connection)
        }
        return APIResponse.json(["data": .array(users.map(Self.json))])
    }

    /// The fields of `SystemEntities.user`; never the password hash.
    static func json(_ user: User) -> JSONValue {
        [
            "id": .string(user.id.lowercased), "email": .string(user.email), "name": .string(user.name), "is_admin": .bool(user.isAdmin),
            "language": .string(user.language), "time_zone": .string(user.timeZone), "is_active": .bool(user.isActive),
        ]
    }
}
