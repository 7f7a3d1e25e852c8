import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct RecordsAPITests {
    /// PostgreSQL's tenant backstop: a session of the application role without a workspace
    /// setting sees no tenant row, whatever a query forgets to say.
    @Test func rowLevelSecurityHidesEveryTenantRowWithoutAWorkspace() async throws {
        try await withTestApp(.postgres) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            _ = try await services.records.create(["last_name": "Видимый"], entity: "contacts", scope: scope)
            let seen = try await services.database.read(workspace: tenant.workspace.id) { connection in
                try await connection.first("SELECT COUNT(*) AS n, current_user AS who FROM contacts")
            }
            #expect(seen?.int("n") == 1)
            #expect(seen?.string("who") == "clientele_app")
            // Rows in the access-control tables too (migration 0008), so their check can fail.
            let contact = try await services.records.create(["last_name": "Общий"], entity: "contacts", scope: scope)
            for (entity, body) in [
                ("leads", ["last_name": "Лид"]), ("companies", ["name": "ООО Ромашка"]), ("deals", ["title": "Поставка"]),
                ("activities", ["type": "task", "subject": "Позвонить"]), ("notes", ["body": "Заметка"]),
            ] as [(String, JSONValue)] {
                _ = try await services.records.create(body, entity: entity, scope: scope)
            }
            let team = try await services.access.saveTeam(
                id: nil, ["name": "Восток", "member_ids": [.string(tenant.user.id.lowercased)]], scope: scope)
            _ = try await services.access.saveRole(id: nil, ["name": "Директор"], scope: scope)
            _ = try await services.access.share(
                entity: "contacts", id: contact.id, ["team_id": .string(team.id.lowercased), "access": "read"], scope: scope)
            _ = try await services.access.createSharingRule(
                [
                    "entity": "deals", "owner_team_id": .string(team.id.lowercased), "team_id": .string(team.id.lowercased),
                    "access": "read",
                ],
                scope: scope)
            let tables = [
                "contacts", "leads", "companies", "deals", "activities", "notes", "audit_log", "match_keys", "users", "teams",
                "team_members", "roles", "profiles", "user_profiles", "record_shares", "sharing_rules", "search_documents",
            ]
            for table in tables {
                let mine = try await services.database.read(workspace: tenant.workspace.id) { connection in
                    try await connection.first("SELECT COUNT(*) AS n FROM \(raw: table)")
                }
                #expect((mine?.int("n") ?? 0) > 0, "\(table) has rows of the workspace")
                let unseen = try await services.database.withSystemConnection { connection in
                    try await connection.first("SELECT COUNT(*) AS n FROM \(raw: table)")
                }
                #expect(unseen?.int("n") == 0, "\(table) without a workspace setting")
            }
        }
    }

    /// A custom field deleted and defined again with another type finds the old type's values in
    /// records: lists filtered and sorted on it still answer (old values read as empty).
    @Test(arguments: Backend.allCases)
    func aFieldRedefinedWithAnotherTypeStillFiltersAndSorts(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            for (name, oldType, oldValue) in [
                ("score", "text", JSONValue.string("высокий")), ("budget", "text", "много"), ("vip", "integer", 7),
                ("size", "multi_choice", ["a"]),
            ] {
                var definition: JSONObject = ["name": .string(name), "type": .string(oldType), "label": .string(name)]
                if oldType == "multi_choice" { definition["options"] = [["value": "a"]] }
                _ = try await services.metadata.addField(.object(definition), entity: "contacts", scope: scope)
                var body: JSONObject = ["last_name": "Old"]
                body["c_\(name)"] = oldValue
                _ = try await services.records.create(.object(body), entity: "contacts", scope: scope)
                try await services.metadata.deleteField(name: "c_\(name)", entity: "contacts", scope: scope)
            }
            for (name, type) in [("score", "integer"), ("budget", "money"), ("vip", "boolean"), ("size", "decimal")] {
                _ = try await services.metadata.addField(
                    ["name": .string(name), "type": .string(type), "label": .string(name)], entity: "contacts", scope: scope)
            }
            _ = try await services.records.create(
                ["last_name": "New", "c_score": 5, "c_budget": ["amount": "10", "currency": "EUR"], "c_vip": true, "c_size": "1.5"],
                entity: "contacts", scope: scope)
            for query in [
                "c_score[gt]=1&sort=c_score", "c_budget[gte]=1&sort=-c_budget", "c_vip=true&sort=c_vip", "c_size[lt]=2&sort=c_size",
                "sort=c_score,c_budget,c_vip,c_size",
            ] {
                let response = try await client.execute(uri: "/api/v1/contacts?\(query)", method: .get, headers: tenant.authorization)
                #expect(response.status == .ok, "\(query)")
                if !query.hasPrefix("sort=") {
                    #expect(response.json["data"]?.arrayValue?.count == 1, "\(query)")
                }
            }
        }
    }

    /// A stored custom field definition whose name is not a custom name (written around the API,
    /// or damaged) is left out when definitions are read back: names are written into SQL.
    @Test(arguments: Backend.allCases)
    func unsafeStoredFieldNamesAreLeftOut(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            for name in ["c_x') OR 1=1 --", "c_x'", "last_name", "c_Upper", "c_1st"] {
                let field = FieldDefinition(name: name, type: .text, label: LocalizedText(en: "Bad"), isCustom: true)
                try await services.database.write(workspace: tenant.workspace.id) { connection in
                    try await CustomFieldStore.insert(field, entity: "contact", scope: scope, on: connection)
                }
            }
            let stored = try await services.database.read(workspace: tenant.workspace.id) { connection in
                try await CustomFieldStore.all(scope: scope, on: connection)
            }
            #expect(stored["contact"] == nil)
            let list = try await client.execute(uri: "/api/v1/contacts?sort=last_name&limit=5", method: .get, headers: tenant.authorization)
            #expect(list.status == .ok)
            #expect(FieldDefinition.isValidCustomName("c_region_2"))
            #expect(!FieldDefinition.isValidCustomName("c_"))
            #expect(!FieldDefinition.isValidCustomName("c_" + String(repeating: "a", count: 51)))
        }
    }

    @Test(arguments: Backend.allCases)
    func createGetPatchDeleteRestore(_ backend: Backend) async throws {
        try await withTestApp(backend) { _, tenant, client in
            let created = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: tenant.authorization,
                body: #"{"first_name":"Иван","last_name":"Иванов","phone_mobile":"89123456789","tags":["vip"]}"#.buffer)
            #expect(created.status == .created)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(created.headers[.location] == "/api/v1/contacts/\(id)")
            #expect(created.json["number"]?.stringValue?.hasPrefix("C-") == true)

            let stale = try await client.execute(
                uri: "/api/v1/contacts/\(id)", method: .patch, headers: tenant.authorization + [.ifMatch: "\"7\""],
                body: #"{"title":"CEO"}"#.buffer)
            #expect(stale.status == .preconditionFailed)
            let patched = try await client.execute(
                uri: "/api/v1/contacts/\(id)", method: .patch, headers: tenant.authorization + [.ifMatch: "\"1\""],
                body: #"{"title":"CEO"}"#.buffer)
            #expect(patched.status == .ok)
            #expect(patched.json["version"] == .int(2))
            #expect(patched.json["title"] == .string("CEO"))

            let deleted = try await client.execute(uri: "/api/v1/contacts/\(id)", method: .delete, headers: tenant.authorization)
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/api/v1/contacts/\(id)", method: .get, headers: tenant.authorization)
            #expect(gone.status == .notFound)
            let trash = try await client.execute(uri: "/api/v1/trash", method: .get, headers: tenant.authorization)
            #expect(trash.json["data"].flatMap { if case .array(let items) = $0 { items.count } else { nil } } == 1)
            let restored = try await client.execute(
                uri: "/api/v1/trash/contacts/\(id)/restore", method: .post, headers: tenant.authorization)
            #expect(restored.status == .ok)

            let history = try await client.execute(uri: "/api/v1/contacts/\(id)/history", method: .get, headers: tenant.authorization)
            guard case .array(let entries)? = history.json["data"] else {
                Issue.record("no history")
                return
            }
            #expect(entries.compactMap { $0["action"]?.stringValue } == ["restore", "delete", "update", "create"])
            #expect(entries[2]["changes"]?["title"]?["new"] == .string("CEO"))
        }
    }

    @Test(arguments: Backend.allCases)
    func badInputIsRefusedAndWritesNothing(_ backend: Backend) async throws {
        try await withTestApp(backend) { _, tenant, client in
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"foo":1,"last_name":5}"#, .unprocessableContent), ("{bad", .badRequest), ("[]", .badRequest),
                (#"{"first_name":"no last name"}"#, .unprocessableContent),
                (#"{"last_name":"X","birthday":"2023-02-30"}"#, .unprocessableContent),
                (#"{"last_name":"X","company_id":"01a20bd9-8814-7e3b-9e90-91c126e2bbff"}"#, .unprocessableContent),
            ]
            for (body, status) in cases {
                let response = try await client.execute(
                    uri: "/api/v1/contacts", method: .post, headers: tenant.authorization, body: body.buffer)
                #expect(response.status == status, "\(body)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let invalidUTF8 = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: tenant.authorization,
                body: ByteBuffer(bytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
            #expect(invalidUTF8.status == .badRequest)
            let huge = try await client.execute(
                uri: "/api/v1/contacts", method: .post, headers: tenant.authorization,
                body: ByteBuffer(string: #"{"last_name":""# + String(repeating: "a", count: 2 << 20) + #""}"#))
            #expect(huge.status == .contentTooLarge)
            let unknown = try await client.execute(uri: "/api/v1/widgets", method: .get, headers: tenant.authorization)
            #expect(unknown.status == .notFound)
            let noToken = try await client.execute(uri: "/api/v1/contacts", method: .get)
            #expect(noToken.status == .unauthorized)
            let list = try await client.execute(uri: "/api/v1/contacts?count=true", method: .get, headers: tenant.authorization)
            #expect(list.json["total"] == .int(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func keysetPaginationVisitsEveryRowOnce(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            for index in 0..<57 {
                _ = try await services.records.create(
                    [
                        "last_name": .string(["Орлов", "Smith", "Белов"][index % 3]),
                        "first_name": index % 5 == 0 ? .null : .string("N\(index)"),
                    ],
                    entity: "contacts", scope: scope)
            }
            for sort in ["-created_at", "last_name", "-first_name", "first_name,-last_name"] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    var uri = "/api/v1/contacts?limit=10&sort=\(sort)"
                    if let cursor { uri += "&cursor=\(cursor)" }
                    let page = try await client.execute(uri: uri, method: .get, headers: tenant.authorization)
                    #expect(page.status == .ok)
                    guard case .array(let rows)? = page.json["data"] else { break }
                    seen += rows.compactMap { $0["id"]?.stringValue }
                    cursor = page.json["next_cursor"]?.stringValue
                } while cursor != nil
                #expect(seen.count == 57, "sort \(sort)")
                #expect(Set(seen).count == 57, "sort \(sort)")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func customFieldsFilterAndPhoneSearch(_ backend: Backend) async throws {
        try await withTestApp(backend) { _, tenant, client in
            let field = try await client.execute(
                uri: "/api/v1/metadata/entities/contacts/fields", method: .post, headers: tenant.authorization,
                body: #"{"name":"loyalty","type":"integer","label":{"en":"Loyalty","ru":"Лояльность","bg":"Лоялност"}}"#.buffer)
            #expect(field.status == .created)
            #expect(field.json["name"] == .string("c_loyalty"))
            for (name, phone, loyalty) in [("Петров", "+7 (912) 345-67-89", 7), ("Сидоров", "8 903 111 22 33", 2)] {
                let response = try await client.execute(
                    uri: "/api/v1/contacts", method: .post, headers: tenant.authorization,
                    body: #"{"last_name":"\#(name)","phone_work":"\#(phone)","c_loyalty":\#(loyalty)}"#.buffer)
                #expect(response.status == .created)
            }
            let filtered = try await client.execute(
                uri: "/api/v1/contacts?c_loyalty%5Bgte%5D=5", method: .get, headers: tenant.authorization)
            guard case .array(let rows)? = filtered.json["data"] else {
                Issue.record("no rows")
                return
            }
            #expect(rows.count == 1)
            #expect(rows.first?["last_name"] == .string("Петров"))
            let search = try await client.execute(uri: "/api/v1/search?q=89123456789", method: .get, headers: tenant.authorization)
            #expect(
                search.json["data"].flatMap { if case .array(let hits) = $0 { hits.first?["title"] } else { nil } } == .string("Петров"))
            let cyrillic = try await client.execute(
                uri: "/api/v1/contacts?last_name%5Bcontains%5D=%D0%B8%D0%B4%D0%BE%D1%80", method: .get, headers: tenant.authorization)
            #expect(cyrillic.json["data"].flatMap { if case .array(let hits) = $0 { hits.count } else { nil } } == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func workspacesNeverSeeEachOther(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let other = try await makeTenant(services)
            let created = try await client.execute(
                uri: "/api/v1/companies", method: .post, headers: tenant.authorization, body: #"{"name":"Тайная компания"}"#.buffer)
            let id = try #require(created.json["id"]?.stringValue)
            for (uri, method) in [
                ("/api/v1/companies/\(id)", HTTPRequest.Method.get), ("/api/v1/companies/\(id)/history", .get),
                ("/api/v1/companies/\(id)", .delete),
            ] {
                let response = try await client.execute(uri: uri, method: method, headers: other.authorization)
                #expect(response.status == .notFound, "\(method) \(uri)")
            }
            let list = try await client.execute(uri: "/api/v1/companies?count=true", method: .get, headers: other.authorization)
            #expect(list.json["total"] == .int(0))
            let search = try await client.execute(
                uri: "/api/v1/search?q=%D1%82%D0%B0%D0%B9%D0%BD%D0%B0%D1%8F", method: .get, headers: other.authorization)
            #expect(search.json["data"] == .array([]))
            let mine = try await client.execute(
                uri: "/api/v1/search?q=%D1%82%D0%B0%D0%B9%D0%BD%D0%B0%D1%8F", method: .get, headers: tenant.authorization)
            #expect(mine.json["data"] != .array([]))
        }
    }

    @Test(arguments: Backend.allCases)
    func trashPurgeRemovesOnlyOldRecords(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let old = try await services.records.create(["name": "Old"], entity: "companies", scope: scope)
            let contact = try await services.records.create(
                ["last_name": "Member", "company_id": .string(old.id.lowercased)], entity: "contacts", scope: scope)
            _ = try await services.follows.follow(entity: "companies", id: old.id, scope: scope)
            #expect(try await services.relations.list(entity: "contacts", id: contact.id, relation: "companies", scope: scope).count == 1)
            try await services.records.delete(id: old.id, entity: "companies", scope: scope)
            let purged = try await TrashPurgeJob(database: services.database).run(
                workspaceID: tenant.workspace.id, now: Date().addingTimeInterval(31 * 86_400))
            #expect(purged == 1)
            await #expect(throws: CRMError.self) { try await services.records.restore(id: old.id, entity: "companies", scope: scope) }
            // The purged company's membership link and follow went with it; the contact stays.
            let (links, follows) = try await services.database.read(workspace: tenant.workspace.id) { connection in
                (
                    try await LinkStore.touching(id: old.id, scope: scope, on: connection).count,
                    try await FollowStore.followers(entity: "companies", recordID: old.id, scope: scope, on: connection).count
                )
            }
            #expect(links == 0 && follows == 0)
            #expect(try await services.records.get(id: contact.id, entity: "contacts", scope: scope).version == 1)
        }
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var result = lhs
        for field in rhs { result[field.name] = field.value }
        return result
    }
}

struct ListSearchTests {
    @Test(arguments: Backend.allCases)
    func listQueryFindsByFullTextWithinTheEntity(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            _ = try await services.records.create(["last_name": "Петров", "email": "p@example.com"], entity: "contacts", scope: scope)
            _ = try await services.records.create(["last_name": "Smith"], entity: "contacts", scope: scope)
            let response = try await client.execute(
                uri: "/api/v1/contacts?q=%D0%BF%D0%B5%D1%82%D1%80", method: .get, headers: tenant.authorization)
            guard case .array(let rows)? = response.json["data"] else {
                Issue.record("no rows")
                return
            }
            #expect(rows.compactMap { $0["last_name"]?.stringValue } == ["Петров"])
        }
    }

    @Test(arguments: Backend.allCases)
    func readBackEqualsWhatTheWriteReturned(_ backend: Backend) async throws {
        try await withTestApp(backend) { _, tenant, client in
            for _ in 0..<5 {
                let created = try await client.execute(
                    uri: "/api/v1/deals", method: .post, headers: tenant.authorization,
                    body: #"{"title":"Поставка","amount":{"amount":1500.55,"currency":"EUR"},"expected_close_date":"2026-12-31"}"#.buffer)
                let id = try #require(created.json["id"]?.stringValue)
                let read = try await client.execute(uri: "/api/v1/deals/\(id)", method: .get, headers: tenant.authorization)
                #expect(read.json == created.json)
            }
        }
    }
}

struct SearchIndexTests {
    @Test(arguments: Backend.allCases)
    func reindexRebuildsWithoutDuplicatesAndKeepsWorkspacesApart(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let other = try await makeTenant(services)
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let otherScope = AccessScope(workspaceID: other.workspace.id, userID: other.user.id, isAdmin: true)
            _ = try await services.records.create(
                ["last_name": "Кузнецов", "phone_mobile": "+7 903 111-22-33"], entity: "contacts", scope: scope)
            _ = try await services.records.create(["name": "Кузнецов и партнёры"], entity: "companies", scope: scope)
            _ = try await services.records.create(["last_name": "Кузнецов"], entity: "contacts", scope: otherScope)
            let indexed = try await SearchReindexJob(database: services.database, metadata: services.metadata).run(
                workspaceID: tenant.workspace.id)
            #expect(indexed == 2)
            let all = try await services.search.search("кузнецов", entities: nil, limit: 20, scope: scope)
            #expect(all.count == 2)
            let contacts = try await services.search.search("kuznetsov", entities: ["contacts"], limit: 20, scope: scope)
            #expect(contacts.map(\.entity) == ["contacts"])
            let byPhone = try await services.search.search("89031112233", entities: nil, limit: 20, scope: scope)
            #expect(byPhone.count == 1)
            let list = try await client.execute(
                uri: "/api/v1/contacts?q=%D0%BA%D1%83%D0%B7%D0%BD%D0%B5%D1%86%D0%BE%D0%B2&count=true", method: .get,
                headers: tenant.authorization)
            #expect(list.json["total"] == .int(1))
        }
    }
}
