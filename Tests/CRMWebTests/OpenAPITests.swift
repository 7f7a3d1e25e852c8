import CRMCore
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
}

struct UsersAPITests {
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
