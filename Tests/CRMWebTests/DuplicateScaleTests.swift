import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Testing

/// The duplicate check stays bounded when thousands of records share a name, and still finds
/// the one true duplicate first (on both backends).
struct DuplicateScaleTests {
    @Test(arguments: Backend.allCases)
    func theTrueDuplicateComesFirstAmongFiveThousandNamesakes(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            // 5,000 people called Иван Иванов (some in Latin letters, some with a patronymic),
            // each with a phone of their own; the true duplicate sits among the older ones.
            let spellings: [(String, String, String?)] = [
                ("Иван", "Иванов", nil), ("Ivan", "Ivanov", nil), ("Иван", "Иванов", "Петрович"), ("IVAN", "IVANOV", "Petrovich"),
            ]
            var bodies: [JSONValue] = []
            for index in 0..<5_000 {
                let (first, last, middle) = spellings[index % spellings.count]
                var body: JSONObject = [
                    "first_name": .string(first), "last_name": .string(last),
                    "phone_mobile": .string(String(format: "+7 (9%02d) %03d-%02d-%02d", index % 100, index % 1000, index % 97, index % 89)),
                ]
                if let middle { body["middle_name"] = .string(middle) }
                if index == 1_234 {
                    body["phone_mobile"] = "+7 (912) 345-67-89"
                    body["email"] = "ivan.ivanov@example.ru"
                }
                bodies.append(.object(body))
            }
            for chunk in stride(from: 0, to: bodies.count, by: 1_000) {
                _ = try await services.records.createMany(Array(bodies[chunk..<chunk + 1_000]), entity: "contacts", scope: scope)
            }
            let page = try await services.records.listJSON([("count", "true"), ("limit", "1")], entity: "contacts", scope: scope)
            #expect(page.total == 5_000)

            // A new Иван Иванов whose phone is the true duplicate's, typed another way.
            let probe: JSONValue = ["first_name": "Иван", "last_name": "Иванов", "phone_mobile": "8 912 345 67 89"]
            let before = try await services.duplicates.duplicates(ofInput: probe, entity: "contacts", scope: scope)
            let first = try #require(before.first)
            #expect(first.record.record.values["email"]?.plainText == "ivan.ivanov@example.ru")
            #expect(first.reasons == ["phone", "name"])
            #expect(before.count <= 20)
            // Namesakes are reported as name matches below it.
            #expect(before.dropFirst().allSatisfy { $0.reasons == ["name"] })
            #expect(before.count > 1)

            // Through the API: the create announces duplicates, and the check by e-mail alone
            // (case as typed) finds the same person.
            let created = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: tenant.authorization,
                body: #"{"first_name":"Ivan","last_name":"Ivanov","phone_mobile":"+79123456789"}"#.buffer)
            #expect(created.status == .created)
            #expect(created.headers[.init("Clientele-Duplicates")!].flatMap(Int.init) ?? 0 >= 1)
            let byEmail = try await services.duplicates.duplicates(
                matching: [("email", "Ivan.Ivanov@Example.RU")], entity: "contacts", scope: scope)
            #expect(byEmail.map(\.reasons) == [["email"]])
        }
    }

    @Test func matchKeysPairTheWordsOfAName() {
        let stored = MatchKeys.stored(phoneKeys: ["9123456789"], emails: ["a@b.ru"], inn: nil, name: "Иван Петрович Иванов")
        let lookup = MatchKeys.lookup(phoneKeys: [], emails: [], inn: nil, name: "Ivan Ivanov")
        // The Latin probe's one pair is among the Cyrillic record's keys, patronymic or not.
        #expect(lookup.count == 1)
        #expect(stored.contains(lookup[0]))
        #expect(stored.contains("p:9123456789"))
        #expect(stored.contains("e:a@b.ru"))
        // A one-word name is looked up by its word; legal forms make no key.
        #expect(
            MatchKeys.lookup(phoneKeys: [], emails: [], inn: nil, name: "ООО «Ромашка»")
                == MatchKeys.lookup(phoneKeys: [], emails: [], inn: nil, name: "Romashka"))
        #expect(MatchKeys.nameSkeletons("И. Петров").count == 1)
    }
}
