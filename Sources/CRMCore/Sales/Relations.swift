/// Kinds of link between records (`record_links.kind`).
public enum RelationKind: String, Sendable, CaseIterable {
    /// A contact works in a company (a contact may belong to several).
    case contactCompany = "contact_company"
    /// A contact takes part in a deal, with a role.
    case dealContact = "deal_contact"
    /// A contact, lead or user takes part in a meeting or call.
    case participant = "activity_participant"
}

/// A relation as the API shows it from one side: `GET /api/v1/{entity}/{id}/{name}`.
public struct RelationEndpoint: Sendable, Hashable {
    public var entity: String
    public var name: String
    public var kind: RelationKind
    /// True when the record is the link's `from` side.
    public var outgoing: Bool
    /// Entities the other side may be.
    public var targets: [String]
    public var roles: [ChoiceOption]

    public static let dealRoles: [ChoiceOption] = [
        ChoiceOption("decision_maker", "Decision maker", ru: "Лицо, принимающее решение", bg: "Взема решение"),
        ChoiceOption("economic_buyer", "Economic buyer", ru: "Распорядитель бюджета", bg: "Разпорежда се с бюджета"),
        ChoiceOption("influencer", "Influencer", ru: "Влияет на решение", bg: "Влияе на решението"),
        ChoiceOption("technical_buyer", "Technical expert", ru: "Технический эксперт", bg: "Технически експерт"),
        ChoiceOption("user", "User", ru: "Пользователь", bg: "Потребител"),
        ChoiceOption("contact", "Contact person", ru: "Контактное лицо", bg: "Лице за контакт"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    public static let all: [RelationEndpoint] = [
        RelationEndpoint(entity: "contacts", name: "companies", kind: .contactCompany, outgoing: true, targets: ["company"], roles: []),
        RelationEndpoint(entity: "companies", name: "contacts", kind: .contactCompany, outgoing: false, targets: ["contact"], roles: []),
        RelationEndpoint(entity: "deals", name: "contacts", kind: .dealContact, outgoing: true, targets: ["contact"], roles: dealRoles),
        RelationEndpoint(entity: "contacts", name: "deals", kind: .dealContact, outgoing: false, targets: ["deal"], roles: dealRoles),
        RelationEndpoint(
            entity: "activities", name: "participants", kind: .participant, outgoing: true, targets: ["contact", "lead", "user"], roles: []),
    ]

    public static func find(entity: String, name: String) -> RelationEndpoint? {
        all.first { $0.entity == entity && $0.name == name }
    }
}
