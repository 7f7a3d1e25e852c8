import CRMCore
import CRMServices
import Foundation
import Testing

/// The global search answers what a person has typed so far, one key at a time: name prefixes
/// (in either script), e-mail prefixes and phone digits in any format; whole words come first.
struct SearchAsYouTypeTests {
    @Test(arguments: Backend.allCases)
    func everyKeystrokeFindsThePerson(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let ivan = try await services.records.create(
                [
                    "first_name": "Иван", "last_name": "Петров", "phone_mobile": "+7 (912) 345-67-89",
                    "email": "ivan.petrov@mail.ru",
                ], entity: "contacts", scope: scope)
            // Newer records whose words only start like his: they must not push him out.
            var crowd: [JSONValue] = []
            for index in 0..<300 {
                crowd.append([
                    "first_name": "Иванна", "last_name": .string("Иванова\(index)"), "phone_mobile": .string("+7 999 000-\(index)"),
                ])
            }
            _ = try await services.records.createMany(crowd, entity: "contacts", scope: scope)

            func ids(_ query: String) async throws -> [UUID] {
                try await services.search.search(query, entities: nil, limit: 20, scope: scope).map(\.id)
            }
            // The whole word is found first, before the newer prefix matches.
            #expect(try await ids("Иван").first == ivan.id)
            #expect(try await ids("ivan").first == ivan.id)
            #expect(try await ids("Иван П").first == ivan.id)
            // Typed so far: every prefix of his surname, in Cyrillic and in Latin.
            for typed in ["П", "Пе", "Пет", "Петр", "Петро", "Петров", "pe", "pet", "petr", "petro", "petrov"] {
                #expect(try await ids(typed).contains(ivan.id), "search \(typed)")
            }
            // E-mail and phone, as typed.
            for typed in [
                "ivan.p", "ivan.petrov@", "ivan.petrov@mail.ru", "+7 912", "+7 912 3", "8912", "8 (912) 345", "912 345 67", "89123456789",
            ] {
                #expect(try await ids(typed).contains(ivan.id), "search \(typed)")
            }
            #expect(try await ids("Иванов").count == 20)
            #expect(try await ids("Петрович").isEmpty)
        }
    }
}
