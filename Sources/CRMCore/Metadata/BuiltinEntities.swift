/// The entities Clientele ships with. Their columns are created by numbered migrations; this
/// file describes them to validation, queries, the API and the OpenAPI document.
public enum BuiltinEntities {
    public static let all: [EntityDefinition] = [lead, contact, company, deal, note, activity, bankAccount]

    public static let byPluralName: [String: EntityDefinition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.pluralName, $0) })
    public static let byName: [String: EntityDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static func field(
        _ name: String, _ type: FieldType, _ en: String, _ ru: String, _ bg: String, required: Bool = false,
        options: [ChoiceOption] = [], reference: String? = nil, searchable: Bool = false, system: Bool = false
    ) -> FieldDefinition {
        FieldDefinition(
            name: name, type: type, label: LocalizedText(en: en, ru: ru, bg: bg), isRequired: required, isSystem: system,
            options: options, referenceEntity: reference, isSearchable: searchable)
    }

    /// "Converted from lead": set by lead conversion, never by clients.
    static func convertedFromLead() -> FieldDefinition {
        field("lead_id", .reference, "Converted from lead", "Из лида", "От потенциален клиент", reference: "lead", system: true)
    }

    static let sources: [ChoiceOption] = [
        ChoiceOption("web_form", "Web form", ru: "Веб-форма", bg: "Уеб форма"),
        ChoiceOption("call", "Call", ru: "Звонок", bg: "Обаждане"),
        ChoiceOption("email", "E-mail", ru: "Электронная почта", bg: "Имейл"),
        ChoiceOption("import", "Import", ru: "Импорт", bg: "Импорт"),
        ChoiceOption("referral", "Referral", ru: "Рекомендация", bg: "Препоръка"),
        ChoiceOption("cold_call", "Cold call", ru: "Холодный звонок", bg: "Студено обаждане"),
        ChoiceOption("advertising", "Advertising", ru: "Реклама", bg: "Реклама"),
        ChoiceOption("exhibition", "Exhibition", ru: "Выставка", bg: "Изложение"),
        ChoiceOption("partner", "Partner", ru: "Партнёр", bg: "Партньор"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    static let industries: [ChoiceOption] = [
        ChoiceOption("it", "IT", ru: "ИТ", bg: "ИТ"),
        ChoiceOption("manufacturing", "Manufacturing", ru: "Производство", bg: "Производство"),
        ChoiceOption("retail", "Retail", ru: "Розничная торговля", bg: "Търговия на дребно"),
        ChoiceOption("wholesale", "Wholesale", ru: "Оптовая торговля", bg: "Търговия на едро"),
        ChoiceOption("finance", "Finance", ru: "Финансы", bg: "Финанси"),
        ChoiceOption("construction", "Construction", ru: "Строительство", bg: "Строителство"),
        ChoiceOption("logistics", "Logistics", ru: "Логистика", bg: "Логистика"),
        ChoiceOption("education", "Education", ru: "Образование", bg: "Образование"),
        ChoiceOption("healthcare", "Healthcare", ru: "Здравоохранение", bg: "Здравеопазване"),
        ChoiceOption("services", "Services", ru: "Услуги", bg: "Услуги"),
        ChoiceOption("government", "Government", ru: "Госсектор", bg: "Държавен сектор"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    static let ratings: [ChoiceOption] = [
        ChoiceOption("hot", "Hot", ru: "Горячий", bg: "Горещ"),
        ChoiceOption("warm", "Warm", ru: "Тёплый", bg: "Топъл"),
        ChoiceOption("cold", "Cold", ru: "Холодный", bg: "Студен"),
    ]

    public static let lead = EntityDefinition(
        name: "lead", pluralName: "leads", table: "leads", numberPrefix: "L",
        label: LocalizedText(en: "Lead", ru: "Лид", bg: "Потенциален клиент"),
        pluralLabel: LocalizedText(en: "Leads", ru: "Лиды", bg: "Потенциални клиенти"),
        fields: [
            field("first_name", .text, "First name", "Имя", "Име", searchable: true),
            field("last_name", .text, "Last name", "Фамилия", "Фамилия", searchable: true),
            field("company_name", .text, "Company", "Компания", "Фирма", searchable: true),
            field("title", .text, "Job title", "Должность", "Длъжност"),
            field("phone", .phone, "Phone", "Телефон", "Телефон"),
            field("mobile", .phone, "Mobile", "Мобильный", "Мобилен"),
            field("email", .email, "E-mail", "E-mail", "Имейл"),
            field("email_other", .email, "Other e-mail", "Другой e-mail", "Друг имейл"),
            field("website", .url, "Website", "Сайт", "Уебсайт"),
            field("source", .choice, "Source", "Источник", "Източник", options: sources),
            field(
                "status", .choice, "Status", "Статус", "Статус",
                options: [
                    ChoiceOption("new", "New", ru: "Новый", bg: "Нов"),
                    ChoiceOption("in_progress", "In progress", ru: "В работе", bg: "В процес"),
                    ChoiceOption("qualified", "Qualified", ru: "Квалифицирован", bg: "Квалифициран"),
                    ChoiceOption("junk", "Junk", ru: "Некачественный", bg: "Негоден"),
                    ChoiceOption("converted", "Converted", ru: "Сконвертирован", bg: "Конвертиран"),
                ]),
            field("rating", .choice, "Rating", "Рейтинг", "Рейтинг", options: ratings),
            field("industry", .choice, "Industry", "Отрасль", "Отрасъл", options: industries),
            field("annual_revenue", .money, "Annual revenue", "Годовой оборот", "Годишен оборот"),
            field("employees", .integer, "Employees", "Сотрудников", "Служители"),
            field("address", .address, "Address", "Адрес", "Адрес"),
            field("city", .text, "City", "Город", "Град", searchable: true),
            field("country", .text, "Country", "Страна", "Държава"),
            field("description", .longText, "Description", "Описание", "Описание"),
            field("junk_reason", .choice, "Junk reason", "Причина некачественности", "Причина за отхвърляне", options: junkReasons),
            field("converted_at", .datetime, "Converted", "Сконвертирован", "Конвертиран", system: true),
            field(
                "converted_contact_id", .reference, "Converted to contact", "Контакт из лида", "Контакт от конверсията",
                reference: "contact", system: true),
            field(
                "converted_company_id", .reference, "Converted to company", "Компания из лида", "Фирма от конверсията",
                reference: "company", system: true),
            field(
                "converted_deal_id", .reference, "Converted to deal", "Сделка из лида", "Сделка от конверсията", reference: "deal",
                system: true),
        ],
        titleFields: ["first_name", "last_name", "company_name"])

    public static let contact = EntityDefinition(
        name: "contact", pluralName: "contacts", table: "contacts", numberPrefix: "C",
        label: LocalizedText(en: "Contact", ru: "Контакт", bg: "Контакт"),
        pluralLabel: LocalizedText(en: "Contacts", ru: "Контакты", bg: "Контакти"),
        fields: [
            field("salutation", .text, "Salutation", "Обращение", "Обръщение"),
            field("first_name", .text, "First name", "Имя", "Име", searchable: true),
            field("middle_name", .text, "Middle name", "Отчество", "Презиме", searchable: true),
            field("last_name", .text, "Last name", "Фамилия", "Фамилия", required: true, searchable: true),
            field("title", .text, "Job title", "Должность", "Длъжност"),
            field("department", .text, "Department", "Отдел", "Отдел"),
            field("company_id", .reference, "Company", "Компания", "Фирма", reference: "company"),
            field("email", .email, "E-mail", "E-mail", "Имейл"),
            field("email_other", .email, "Other e-mail", "Другой e-mail", "Друг имейл"),
            field("phone_mobile", .phone, "Mobile phone", "Мобильный телефон", "Мобилен телефон"),
            field("phone_work", .phone, "Work phone", "Рабочий телефон", "Служебен телефон"),
            field("phone_home", .phone, "Home phone", "Домашний телефон", "Домашен телефон"),
            field("phone_other", .phone, "Other phone", "Другой телефон", "Друг телефон"),
            field("birthday", .date, "Birthday", "День рождения", "Рожден ден"),
            field("source", .choice, "Source", "Источник", "Източник", options: sources),
            field("address", .address, "Address", "Адрес", "Адрес"),
            field("description", .longText, "Description", "Описание", "Описание"),
            field("do_not_mail", .boolean, "Do not mail", "Не отправлять письма", "Без писма"),
            field("type", .choice, "Type", "Тип", "Тип", options: contactTypes),
            field("assistant", .text, "Assistant", "Ассистент", "Асистент"),
            field("assistant_phone", .phone, "Assistant phone", "Телефон ассистента", "Телефон на асистента"),
            field("reports_to_id", .reference, "Reports to", "Руководитель", "Подчинен на", reference: "contact"),
            field("telegram", .text, "Telegram", "Telegram", "Telegram"),
            field("whatsapp", .phone, "WhatsApp", "WhatsApp", "WhatsApp"),
            field("vk", .url, "VK profile", "ВКонтакте", "VK профил"),
            field("linkedin", .url, "LinkedIn profile", "LinkedIn", "LinkedIn профил"),
            field("photo_url", .url, "Photo", "Фото", "Снимка"),
            convertedFromLead(),
        ],
        titleFields: ["first_name", "last_name"])

    public static let company = EntityDefinition(
        name: "company", pluralName: "companies", table: "companies", numberPrefix: "A",
        label: LocalizedText(en: "Company", ru: "Компания", bg: "Фирма"),
        pluralLabel: LocalizedText(en: "Companies", ru: "Компании", bg: "Фирми"),
        fields: [
            field("name", .text, "Name", "Название", "Име", required: true, searchable: true),
            field("industry", .choice, "Industry", "Отрасль", "Отрасъл", options: industries),
            field(
                "type", .choice, "Type", "Тип", "Тип",
                options: [
                    ChoiceOption("prospect", "Prospect", ru: "Потенциальный клиент", bg: "Потенциален клиент"),
                    ChoiceOption("customer", "Customer", ru: "Клиент", bg: "Клиент"),
                    ChoiceOption("partner", "Partner", ru: "Партнёр", bg: "Партньор"),
                    ChoiceOption("competitor", "Competitor", ru: "Конкурент", bg: "Конкурент"),
                    ChoiceOption("supplier", "Supplier", ru: "Поставщик", bg: "Доставчик"),
                    ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
                ]),
            field("website", .url, "Website", "Сайт", "Уебсайт"),
            field("phone", .phone, "Phone", "Телефон", "Телефон"),
            field("email", .email, "E-mail", "E-mail", "Имейл"),
            field("annual_revenue", .money, "Annual revenue", "Годовой оборот", "Годишен оборот"),
            field("employees", .integer, "Employees", "Сотрудников", "Служители"),
            field("inn", .text, "INN (tax id)", "ИНН", "ЕИК", searchable: true),
            field("kpp", .text, "KPP", "КПП", "КПП"),
            field("ogrn", .text, "OGRN", "ОГРН", "ОГРН"),
            field("parent_id", .reference, "Member of", "Головная компания", "Част от", reference: "company"),
            field("legal_address", .address, "Legal address", "Юридический адрес", "Адрес по регистрация"),
            field("postal_address", .address, "Postal address", "Почтовый адрес", "Пощенски адрес"),
            field("rating", .choice, "Rating", "Рейтинг", "Рейтинг", options: ratings),
            field("do_not_mail", .boolean, "Do not mail", "Не отправлять письма", "Без писма"),
            field("description", .longText, "Description", "Описание", "Описание"),
            field("phone_other", .phone, "Other phone", "Другой телефон", "Друг телефон"),
            field("email_other", .email, "Other e-mail", "Другой e-mail", "Друг имейл"),
            field("telegram", .text, "Telegram", "Telegram", "Telegram"),
            field("vk", .url, "VK page", "ВКонтакте", "VK страница"),
            convertedFromLead(),
        ],
        titleFields: ["name"])

    public static let deal = EntityDefinition(
        name: "deal", pluralName: "deals", table: "deals", numberPrefix: "D",
        label: LocalizedText(en: "Deal", ru: "Сделка", bg: "Сделка"),
        pluralLabel: LocalizedText(en: "Deals", ru: "Сделки", bg: "Сделки"),
        fields: [
            field("title", .text, "Title", "Название", "Заглавие", required: true, searchable: true),
            field("company_id", .reference, "Company", "Компания", "Фирма", reference: "company"),
            field("contact_id", .reference, "Contact", "Контакт", "Контакт", reference: "contact"),
            field("amount", .money, "Amount", "Сумма", "Сума"),
            // Validated against the deal's pipeline (`GET /api/v1/pipelines` lists the stages).
            field("stage", .text, "Stage", "Стадия", "Етап"),
            field("probability", .percent, "Probability", "Вероятность", "Вероятност"),
            field("expected_close_date", .date, "Expected close", "Ожидаемая дата закрытия", "Очаквано приключване"),
            field("source", .choice, "Source", "Источник", "Източник", options: sources),
            field(
                "priority", .choice, "Priority", "Приоритет", "Приоритет",
                options: [
                    ChoiceOption("low", "Low", ru: "Низкий", bg: "Нисък"),
                    ChoiceOption("normal", "Normal", ru: "Обычный", bg: "Нормален"),
                    ChoiceOption("high", "High", ru: "Высокий", bg: "Висок"),
                ]),
            field("description", .longText, "Description", "Описание", "Описание"),
            field("pipeline_id", .uuid, "Pipeline", "Воронка", "Фуния"),
            field("loss_reason", .choice, "Loss reason", "Причина проигрыша", "Причина за загуба", options: lossReasons),
            field("closed_on", .date, "Won/lost date", "Дата закрытия", "Дата на приключване"),
            field("stage_entered_at", .datetime, "In stage since", "На стадии с", "В етапа от", system: true),
            convertedFromLead(),
        ],
        titleFields: ["title"])

    public static let note = EntityDefinition(
        name: "note", pluralName: "notes", table: "notes", numberPrefix: "N",
        label: LocalizedText(en: "Note", ru: "Заметка", bg: "Бележка"),
        pluralLabel: LocalizedText(en: "Notes", ru: "Заметки", bg: "Бележки"),
        fields: [
            field("subject", .text, "Subject", "Тема", "Тема", searchable: true),
            field("body", .longText, "Text", "Текст", "Текст", required: true),
            field("parent_type", .choice, "Related to", "Относится к", "Свързана с", options: parentTypes),
            field("parent_id", .reference, "Related record", "Связанная запись", "Свързан запис"),
            field(
                "kind", .choice, "Kind", "Вид", "Вид",
                options: [
                    ChoiceOption("note", "Note", ru: "Заметка", bg: "Бележка"),
                    ChoiceOption("comment", "Comment", ru: "Комментарий", bg: "Коментар"),
                ]),
        ],
        titleFields: ["subject"])
}
