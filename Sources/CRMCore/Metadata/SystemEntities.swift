/// Entities that are not records but are described by the same metadata: the people who sign in
/// and the workspaces they work in. They are read through their own endpoints (`/api/v1/users`,
/// `/api/v1/me`) and managed by administrators and the command line.
public enum SystemEntities {
    public static let user = EntityDefinition(
        name: "user", pluralName: "users", table: "users", numberPrefix: "U",
        label: LocalizedText(en: "User", ru: "Пользователь", bg: "Потребител"),
        pluralLabel: LocalizedText(en: "Users", ru: "Пользователи", bg: "Потребители"),
        fields: [
            BuiltinEntities.field("email", .email, "E-mail", "E-mail", "Имейл", required: true),
            BuiltinEntities.field("name", .text, "Name", "Имя", "Име", required: true),
            BuiltinEntities.field("is_admin", .boolean, "Administrator", "Администратор", "Администратор"),
            BuiltinEntities.field(
                "language", .choice, "Language", "Язык", "Език",
                options: [
                    ChoiceOption("en", "English", ru: "Английский", bg: "Английски"),
                    ChoiceOption("ru", "Russian", ru: "Русский", bg: "Руски"),
                    ChoiceOption("bg", "Bulgarian", ru: "Болгарский", bg: "Български"),
                ]),
            BuiltinEntities.field("time_zone", .text, "Time zone", "Часовой пояс", "Часова зона"),
            BuiltinEntities.field("is_active", .boolean, "Active", "Активен", "Активен"),
        ],
        titleFields: ["name"])

    public static let workspace = EntityDefinition(
        name: "workspace", pluralName: "workspaces", table: "workspaces", numberPrefix: "W",
        label: LocalizedText(en: "Workspace", ru: "Рабочее пространство", bg: "Работно пространство"),
        pluralLabel: LocalizedText(en: "Workspaces", ru: "Рабочие пространства", bg: "Работни пространства"),
        fields: [
            BuiltinEntities.field("slug", .text, "Short name", "Код", "Код", required: true),
            BuiltinEntities.field("name", .text, "Name", "Название", "Име", required: true),
        ],
        titleFields: ["name"])
}
