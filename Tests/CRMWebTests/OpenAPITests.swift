import CRMCore
import CRMServices
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CRMWeb

struct OpenAPITests {
    @Test func documentDescribesEveryEntityAndCustomField() {
        var contact = BuiltinEntities.contact
        contact.append(FieldDefinition(name: "c_loyalty", type: .integer, label: LocalizedText(en: "Loyalty"), isCustom: true))
        let document = OpenAPIDocument.make(entities: [contact, BuiltinEntities.deal])
        #expect(document["openapi"] == .string("3.1.0"))
        #expect(document["paths"]?["/api/v1/contacts/{id}"]?["patch"] != nil)
        #expect(document["components"]?["schemas"]?["Contact"]?["properties"]?["c_loyalty"] != nil)
        #expect(document["components"]?["schemas"]?["ContactInput"]?["additionalProperties"] == .bool(false))
        #expect(document["components"]?["schemas"]?["Deal"]?["properties"]?["amount"] != nil)
    }

    @Test(arguments: Backend.allCases)
    func servedWithoutAToken(_ backend: Backend) async throws {
        try await withTestApp(backend) { _, _, client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["paths"]?["/api/v1/leads"] != nil)
        }
    }

    /// A workspace's custom fields are described to its own members only.
    @Test(arguments: Backend.allCases)
    func customFieldsOnlyForTheWorkspacesMembers(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            _ = try await services.metadata.addField(
                ["name": "secret_score", "type": "integer", "label": "Secret"], entity: "contacts", scope: scope)
            let other = try await makeTenant(services)
            func described(_ headers: HTTPFields) async throws -> Bool {
                let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get, headers: headers)
                #expect(response.status == .ok)
                return response.json["components"]?["schemas"]?["Contact"]?["properties"]?["c_secret_score"] != nil
            }
            #expect(try await described(tenant.authorization))
            #expect(try await !described([:]))
            #expect(try await !described(other.authorization))
            let refused = try await client.execute(
                uri: "/api/v1/openapi.json", method: .get, headers: [.authorization: "Bearer not-a-token"])
            #expect(refused.status == .unauthorized)
        }
    }
}

struct UsersAPITests {
    /// bcrypt reads 72 bytes: a longer password is refused rather than silently cut.
    @Test(arguments: Backend.allCases)
    func passwordsLongerThanBcryptReadsAreRefused(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let long = String(repeating: "я", count: 37)  // 74 bytes
            await #expect(throws: CRMError.self) {
                _ = try await services.auth.createUser(
                    email: "long@example.com", password: long, name: "Long", isAdmin: false, workspaceID: tenant.workspace.id)
            }
            let fits = String(repeating: "я", count: 36)  // 72 bytes
            _ = try await services.auth.createUser(
                email: "fits@example.com", password: fits, name: "Fits", isAdmin: false, workspaceID: tenant.workspace.id)
            _ = try await services.auth.login(email: "fits@example.com", password: fits, workspaceSlug: tenant.workspace.slug)
            await #expect(throws: CRMError.self) {
                _ = try await services.auth.login(email: "fits@example.com", password: fits + "x", workspaceSlug: tenant.workspace.slug)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func meAndUsersShowNoSecrets(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            _ = try await makeTenant(services)
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: tenant.authorization)
            #expect(me.json["email"] == .string(tenant.user.email))
            #expect(me.json["password_hash"] == nil)
            let users = try await client.execute(uri: "/api/v1/users", method: .get, headers: tenant.authorization)
            guard case .array(let rows)? = users.json["data"] else {
                Issue.record("no users")
                return
            }
            #expect(rows.compactMap { $0["email"]?.stringValue } == [tenant.user.email])
            let metadata = try await client.execute(uri: "/api/v1/metadata/entities/users", method: .get, headers: tenant.authorization)
            #expect(metadata.json["singular"] == .string("user"))
        }
    }
}
