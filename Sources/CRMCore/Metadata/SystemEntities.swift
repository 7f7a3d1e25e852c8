/// Entities that are not records but are described by the same metadata: the people who sign in
/// and the workspaces they work in. They are read through their own endpoints (`/api/v1/users`,
/// `/api/v1/me`) and managed by administrators and the command line.
public enum SystemEntities {
    public static let user = EntityDefinition(
        name: "user", pluralName: "users", table: "users", numberPrefix: "U",
        label: LocalizedText(en: "User", ru: "Пользователь", bg: "Потребител"),
        pluralLabel: LocalizedText(en: "Users", ru: "Пользователи", bg: "Потребители"),
        fields: [
            FieldDefinition(name: "email", type: .email, label: LocalizedText(en: "E-mail", ru: "E-mail", bg: "Имейл"), isRequired: true),
            FieldDefinition(name: "name", type: .text, label: LocalizedText(en: "Name", ru: "Имя", bg: "Име"), isRequired: true),
            FieldDefinition(
                name: "is_admin", type: .boolean, label: LocalizedText(en: "Administrator", ru: "Администратор", bg: "Администратор")),
            FieldDefinition(
                name: "language", type: .choice, label: LocalizedText(en: "Language", ru: "Язык", bg: "Език"),
                options: [
                    ChoiceOption("en", "English", ru: "Английский", bg: "Английски"),
                    ChoiceOption("ru", "Russian", ru: "Русский", bg: "Руски"),
                    ChoiceOption("bg", "Bulgarian", ru: "Болгарский", bg: "Български"),
                ]),
            FieldDefinition(name: "time_zone", type: .text, label: LocalizedText(en: "Time zone", ru: "Часовой пояс", bg: "Часова зона")),
            FieldDefinition(name: "is_active", type: .boolean, label: LocalizedText(en: "Active", ru: "Активен", bg: "Активен")),
        ],
        titleFields: ["name"])

    public static let workspace = EntityDefinition(
        name: "workspace", pluralName: "workspaces", table: "workspaces", numberPrefix: "W",
        label: LocalizedText(en: "Workspace", ru: "Рабочее пространство", bg: "Работно пространство"),
        pluralLabel: LocalizedText(en: "Workspaces", ru: "Рабочие пространства", bg: "Работни пространства"),
        fields: [
            FieldDefinition(name: "slug", type: .text, label: LocalizedText(en: "Short name", ru: "Код", bg: "Код"), isRequired: true),
            FieldDefinition(name: "name", type: .text, label: LocalizedText(en: "Name", ru: "Название", bg: "Име"), isRequired: true),
        ],
        titleFields: ["name"])
}
