/// Lists and entities of the sales core: activities, bank accounts and the editable reason lists.
extension BuiltinEntities {
    static let junkReasons: [ChoiceOption] = [
        ChoiceOption("duplicate", "Duplicate", ru: "Дубликат", bg: "Дублиран"),
        ChoiceOption("no_budget", "No budget", ru: "Нет бюджета", bg: "Няма бюджет"),
        ChoiceOption("not_interested", "Not interested", ru: "Не заинтересован", bg: "Няма интерес"),
        ChoiceOption("no_response", "No response", ru: "Не отвечает", bg: "Не отговаря"),
        ChoiceOption("wrong_contact", "Wrong contact details", ru: "Неверные контакты", bg: "Грешни данни за контакт"),
        ChoiceOption("spam", "Spam", ru: "Спам", bg: "Спам"),
        ChoiceOption("competitor", "Competitor", ru: "Конкурент", bg: "Конкурент"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    static let lossReasons: [ChoiceOption] = [
        ChoiceOption("price", "Price", ru: "Цена", bg: "Цена"),
        ChoiceOption("competitor", "Chose a competitor", ru: "Выбрали конкурента", bg: "Избраха конкурент"),
        ChoiceOption("no_budget", "No budget", ru: "Нет бюджета", bg: "Няма бюджет"),
        ChoiceOption("no_decision", "No decision", ru: "Нет решения", bg: "Няма решение"),
        ChoiceOption("timing", "Bad timing", ru: "Неподходящие сроки", bg: "Неподходящ момент"),
        ChoiceOption("product_fit", "Product does not fit", ru: "Продукт не подходит", bg: "Продуктът не пасва"),
        ChoiceOption("no_response", "Stopped responding", ru: "Перестал отвечать", bg: "Спря да отговаря"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    static let contactTypes: [ChoiceOption] = [
        ChoiceOption("client", "Client", ru: "Клиент", bg: "Клиент"),
        ChoiceOption("prospect", "Prospect", ru: "Потенциальный клиент", bg: "Потенциален клиент"),
        ChoiceOption("partner", "Partner", ru: "Партнёр", bg: "Партньор"),
        ChoiceOption("supplier", "Supplier", ru: "Поставщик", bg: "Доставчик"),
        ChoiceOption("employee", "Employee", ru: "Сотрудник", bg: "Служител"),
        ChoiceOption("other", "Other", ru: "Другое", bg: "Друго"),
    ]

    static let parentTypes: [ChoiceOption] = [
        ChoiceOption("lead", "Lead", ru: "Лид", bg: "Потенциален клиент"),
        ChoiceOption("contact", "Contact", ru: "Контакт", bg: "Контакт"),
        ChoiceOption("company", "Company", ru: "Компания", bg: "Фирма"),
        ChoiceOption("deal", "Deal", ru: "Сделка", bg: "Сделка"),
    ]

    /// Tasks, calls and meetings share one entity; `type` tells them apart. The owner is the
    /// person the activity is assigned to.
    public static let activity = EntityDefinition(
        name: "activity", pluralName: "activities", table: "activities", numberPrefix: "T",
        label: LocalizedText(en: "Activity", ru: "Дело", bg: "Дейност"),
        pluralLabel: LocalizedText(en: "Activities", ru: "Дела", bg: "Дейности"),
        fields: [
            field(
                "type", .choice, "Type", "Тип", "Тип", required: true,
                options: [
                    ChoiceOption("task", "Task", ru: "Задача", bg: "Задача"),
                    ChoiceOption("call", "Call", ru: "Звонок", bg: "Обаждане"),
                    ChoiceOption("meeting", "Meeting", ru: "Встреча", bg: "Среща"),
                ]),
            field("subject", .text, "Subject", "Тема", "Тема", required: true, searchable: true),
            field("description", .longText, "Description", "Описание", "Описание"),
            field(
                "status", .choice, "Status", "Статус", "Статус",
                options: [
                    ChoiceOption("planned", "Planned", ru: "Запланировано", bg: "Планирана"),
                    ChoiceOption("in_progress", "In progress", ru: "В работе", bg: "В процес"),
                    ChoiceOption("completed", "Completed", ru: "Выполнено", bg: "Изпълнена"),
                    ChoiceOption("cancelled", "Cancelled", ru: "Отменено", bg: "Отменена"),
                ]),
            field(
                "priority", .choice, "Priority", "Приоритет", "Приоритет",
                options: [
                    ChoiceOption("low", "Low", ru: "Низкий", bg: "Нисък"),
                    ChoiceOption("normal", "Normal", ru: "Обычный", bg: "Нормален"),
                    ChoiceOption("high", "High", ru: "Высокий", bg: "Висок"),
                ]),
            field("due_at", .datetime, "Due", "Срок", "Срок"),
            field("start_at", .datetime, "Starts", "Начало", "Начало"),
            field("end_at", .datetime, "Ends", "Окончание", "Край"),
            field("all_day", .boolean, "All day", "Весь день", "Цял ден"),
            field("reminder_at", .datetime, "Reminder", "Напоминание", "Напомняне"),
            field("parent_type", .choice, "Related to", "Относится к", "Свързана с", options: parentTypes),
            field("parent_id", .reference, "Related record", "Связанная запись", "Свързан запис"),
            field(
                "direction", .choice, "Direction", "Направление", "Посока",
                options: [
                    ChoiceOption("inbound", "Inbound", ru: "Входящий", bg: "Входящо"),
                    ChoiceOption("outbound", "Outbound", ru: "Исходящий", bg: "Изходящо"),
                ]),
            field(
                "outcome", .choice, "Outcome", "Результат", "Резултат",
                options: [
                    ChoiceOption("answered", "Answered", ru: "Состоялся", bg: "Проведено"),
                    ChoiceOption("no_answer", "No answer", ru: "Нет ответа", bg: "Без отговор"),
                    ChoiceOption("busy", "Busy", ru: "Занято", bg: "Заето"),
                    ChoiceOption("voicemail", "Voicemail", ru: "Автоответчик", bg: "Гласова поща"),
                    ChoiceOption("wrong_number", "Wrong number", ru: "Неверный номер", bg: "Грешен номер"),
                ]),
            field("duration_seconds", .integer, "Duration, s", "Длительность, с", "Продължителност, с"),
            field("phone", .phone, "Phone", "Телефон", "Телефон"),
            field("recording_url", .url, "Recording", "Запись разговора", "Запис на разговора"),
            field("location", .text, "Location", "Место", "Място"),
            field("repeat", .recurrence, "Repeat", "Повтор", "Повторение"),
            field("series_id", .uuid, "Series", "Серия", "Серия", system: true),
            field("completed_at", .datetime, "Completed", "Выполнено", "Изпълнена", system: true),
            field("reminded_at", .datetime, "Reminded", "Напомнено", "Напомнено", system: true),
        ],
        titleFields: ["subject"])

    /// A company's bank account (a company may have several).
    public static let bankAccount = EntityDefinition(
        name: "bank_account", pluralName: "bank_accounts", table: "bank_accounts", numberPrefix: "B",
        label: LocalizedText(en: "Bank account", ru: "Банковский счёт", bg: "Банкова сметка"),
        pluralLabel: LocalizedText(en: "Bank accounts", ru: "Банковские счета", bg: "Банкови сметки"),
        fields: [
            field("company_id", .reference, "Company", "Компания", "Фирма", required: true, reference: "company"),
            field("bank_name", .text, "Bank", "Банк", "Банка", required: true),
            field("account_number", .text, "Account number", "Расчётный счёт", "Номер на сметка", required: true),
            field("bik", .text, "BIK", "БИК", "BIC код"),
            field("correspondent_account", .text, "Correspondent account", "Корр. счёт", "Кореспондентска сметка"),
            field("swift", .text, "SWIFT/BIC", "SWIFT", "SWIFT/BIC"),
            field("iban", .text, "IBAN", "IBAN", "IBAN"),
            field("currency", .text, "Currency", "Валюта", "Валута"),
            field("is_primary", .boolean, "Primary", "Основной", "Основна"),
            field("description", .longText, "Description", "Описание", "Описание"),
        ],
        titleFields: ["bank_name", "account_number"])
}
