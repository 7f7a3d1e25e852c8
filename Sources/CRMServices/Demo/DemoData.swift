import CRMCore
import Foundation

/// A realistic demo workspace: Russian and English people and companies, leads (some converted),
/// deals walked through the pipeline to every stage, calls, tasks, meetings and notes. Deterministic for a given seed, written through the ordinary record service.
public struct DemoData: Sendable {
    let services: Services

    public init(services: Services) { self.services = services }

    static let russianFirst = ["Александр", "Мария", "Дмитрий", "Анна", "Сергей", "Елена", "Иван", "Ольга", "Никита", "Татьяна"]
    static let russianLast = [
        "Иванов", "Петрова", "Смирнов", "Кузнецова", "Попов", "Васильева", "Соколов", "Михайлова", "Новиков", "Фёдорова",
    ]
    static let englishFirst = ["James", "Emma", "Oliver", "Sophia", "William", "Olivia", "Henry", "Amelia", "George", "Grace"]
    static let englishLast = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker"]
    static let companies = [
        "ООО «Вектор»", "АО «СеверСтрой»", "ООО «Альфа Логистик»", "ИП Громов", "ООО «ТехноПром»", "Northwind Traders",
        "Blue Harbor Ltd", "Acme Supplies", "Greenfield Foods", "Summit Analytics",
    ]
    static let cities = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "London", "Manchester", "София", "Пловдив"]

    /// Creates the records and returns how many of each kind.
    @discardableResult
    public func load(into scope: AccessScope, scale: Int = 1) async throws -> [String: Int] {
        var generator = SeededGenerator(seed: 42)
        var counts: [String: Int] = [:]
        var companyIDs: [UUID] = []
        for index in 0..<(40 * scale) {
            let name =
                Self.companies[index % Self.companies.count] + (index >= Self.companies.count ? " \(index / Self.companies.count + 1)" : "")
            let company = try await services.records.create(
                [
                    "name": .string(name),
                    "industry": .string(["it", "retail", "manufacturing", "logistics", "services"].randomElement(using: &generator)!),
                    "type": .string(["customer", "prospect", "partner", "supplier"].randomElement(using: &generator)!),
                    "phone": .string(Self.phone(&generator)),
                    "inn": .string(String(Int.random(in: 1_000_000_000...9_999_999_999, using: &generator))),
                    "annual_revenue": ["amount": .int(Int64.random(in: 1...500, using: &generator) * 1_000_000), "currency": "RUB"],
                    "legal_address": ["city": .string(Self.cities.randomElement(using: &generator)!)],
                ], entity: "companies", scope: scope)
            companyIDs.append(company.id)
        }
        counts["companies"] = companyIDs.count
        var contactIDs: [UUID] = []
        for index in 0..<(150 * scale) {
            let russian = index % 2 == 0
            let first = (russian ? Self.russianFirst : Self.englishFirst).randomElement(using: &generator)!
            let last = (russian ? Self.russianLast : Self.englishLast).randomElement(using: &generator)!
            let contact = try await services.records.create(
                [
                    "first_name": .string(first), "last_name": .string(last),
                    "email": .string(
                        "\(Transliteration.latin(first).lowercased()).\(Transliteration.latin(last).lowercased())\(index)@example.com"),
                    "phone_mobile": .string(Self.phone(&generator)),
                    "company_id": .string(companyIDs.randomElement(using: &generator)!.lowercased),
                    "source": .string(["web_form", "call", "referral", "exhibition"].randomElement(using: &generator)!),
                    "title": .string(russian ? "Менеджер по закупкам" : "Purchasing manager"),
                ], entity: "contacts", scope: scope)
            contactIDs.append(contact.id)
        }
        counts["contacts"] = contactIDs.count
        var qualified: [UUID] = []
        for index in 0..<(120 * scale) {
            let russian = index % 2 == 1
            let status = ["new", "in_progress", "qualified", "junk"].randomElement(using: &generator)!
            var body: JSONObject = [
                "first_name": .string((russian ? Self.russianFirst : Self.englishFirst).randomElement(using: &generator)!),
                "last_name": .string((russian ? Self.russianLast : Self.englishLast).randomElement(using: &generator)!),
                "company_name": .string(Self.companies.randomElement(using: &generator)!), "phone": .string(Self.phone(&generator)),
                "status": .string(status),
                "source": .string(["web_form", "call", "email", "advertising", "cold_call"].randomElement(using: &generator)!),
                "city": .string(Self.cities.randomElement(using: &generator)!),
            ]
            if status == "junk" {
                body["junk_reason"] = .string(["no_budget", "spam", "not_interested"].randomElement(using: &generator)!)
            }
            let lead = try await services.records.create(.object(body), entity: "leads", scope: scope)
            if status == "qualified" { qualified.append(lead.id) }
        }
        // Some qualified leads went all the way: a contact, a company and a deal.
        for id in qualified.prefix(5 * scale) {
            _ = try await services.conversion.convert(
                id: id, body: ["contact": true, "company": true, "deal": ["amount": ["amount": 250_000, "currency": "RUB"]]], scope: scope)
        }
        counts["converted leads"] = min(qualified.count, 5 * scale)
        counts["leads"] = 120 * scale
        let stages = ["open", "qualification", "proposal", "negotiation", "documents", "won", "lost"]
        let now = Timestamps.now()
        var activities = 0
        for index in 0..<(100 * scale) {
            let contactID = contactIDs.randomElement(using: &generator)!
            var deal = try await services.records.create(
                [
                    "title": .string(index % 2 == 0 ? "Поставка оборудования №\(index + 1)" : "Software licences #\(index + 1)"),
                    "company_id": .string(companyIDs.randomElement(using: &generator)!.lowercased),
                    "contact_id": .string(contactID.lowercased),
                    "amount": ["amount": .int(Int64.random(in: 50...5000, using: &generator) * 1000), "currency": "RUB"],
                    "source": .string(["web_form", "call", "referral", "exhibition"].randomElement(using: &generator)!),
                ], entity: "deals", scope: scope)
            // Walk the deal through the pipeline, so its stage history and the funnel are real.
            // Lost deals drop out somewhere along the way.
            let target = index % stages.count
            let path =
                target == 6 ? Array(stages[1...Int.random(in: 1...4, using: &generator)]) + ["lost"] : Array(stages[0...target].dropFirst())
            for stage in path {
                var change: JSONObject = ["stage": .string(stage)]
                if stage == "lost" { change["loss_reason"] = .string(["price", "competitor", "timing"].randomElement(using: &generator)!) }
                deal = try await services.records.update(.object(change), id: deal.id, expectedVersion: nil, entity: "deals", scope: scope)
            }
            _ = try await services.records.create(
                [
                    "body": .string(index % 2 == 0 ? "Клиент просит прислать коммерческое предложение." : "Follow up after the demo call."),
                    "parent_type": "deal", "parent_id": .string(deal.id.lowercased),
                ], entity: "notes", scope: scope)
            // A call that happened, and a task or meeting ahead (some of them overdue).
            let hours = Double(Int.random(in: -72...240, using: &generator)) * 3600
            _ = try await services.records.create(
                [
                    "type": "call", "subject": .string(index % 2 == 0 ? "Звонок клиенту" : "Call with the customer"),
                    "direction": .string(["inbound", "outbound"].randomElement(using: &generator)!), "outcome": "answered",
                    "duration_seconds": .int(Int64.random(in: 30...1800, using: &generator)), "parent_type": "deal",
                    "parent_id": .string(deal.id.lowercased),
                ], entity: "activities", scope: scope)
            let meeting = index % 3 == 0
            var next: JSONObject = [
                "type": .string(meeting ? "meeting" : "task"),
                "subject": .string(
                    meeting
                        ? (index % 2 == 0 ? "Встреча в офисе клиента" : "On-site meeting")
                        : (index % 2 == 0 ? "Подготовить КП" : "Send the proposal")),
                "parent_type": "deal", "parent_id": .string(deal.id.lowercased),
            ]
            let when = JSONValue.string(Timestamps.format(now.addingTimeInterval(hours)))
            if meeting {
                next["start_at"] = when
                next["end_at"] = .string(Timestamps.format(now.addingTimeInterval(hours + 3600)))
                next["location"] = .string(Self.cities.randomElement(using: &generator)!)
            } else {
                next["due_at"] = when
            }
            _ = try await services.records.create(.object(next), entity: "activities", scope: scope)
            activities += 2
        }
        counts["activities"] = activities
        counts["deals"] = 100 * scale
        counts["notes"] = 100 * scale
        return counts
    }

    static func phone(_ generator: inout SeededGenerator) -> String {
        let digits = (0..<7).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        let code = ["912", "903", "926", "495", "812"].randomElement(using: &generator)!
        switch Int.random(in: 0...2, using: &generator) {
        case 0: return "+7 (\(code)) \(digits.prefix(3))-\(digits.dropFirst(3).prefix(2))-\(digits.suffix(2))"
        case 1: return "8\(code)\(digits)"
        default: return "+7\(code)\(digits)"
        }
    }
}

/// A small deterministic random generator (SplitMix64) for demo and benchmark data.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
