"""Word lists for the benchmark data generator (bench/generate.py).

Frequencies are not taken from any census: lists are ordered roughly from common to rare and the
generator draws from them with a Zipf-like weight, so that a few surnames are common (thousands of
rows per million) and most are rare, as in a real customer base.
"""

# Russian given names with the father-name (patronymic) forms they give: (name, male patronymic, female patronymic).
RU_MALE = [
    ("Александр", "Александрович", "Александровна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"), ("Андрей", "Андреевич", "Андреевна"),
    ("Алексей", "Алексеевич", "Алексеевна"), ("Максим", "Максимович", "Максимовна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"), ("Иван", "Иванович", "Ивановна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Артём", "Артёмович", "Артёмовна"),
    ("Николай", "Николаевич", "Николаевна"), ("Владимир", "Владимирович", "Владимировна"),
    ("Павел", "Павлович", "Павловна"), ("Роман", "Романович", "Романовна"),
    ("Денис", "Денисович", "Денисовна"), ("Олег", "Олегович", "Олеговна"),
    ("Игорь", "Игоревич", "Игоревна"), ("Виктор", "Викторович", "Викторовна"),
    ("Юрий", "Юрьевич", "Юрьевна"), ("Антон", "Антонович", "Антоновна"),
    ("Никита", "Никитич", "Никитична"), ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"), ("Василий", "Васильевич", "Васильевна"),
    ("Константин", "Константинович", "Константиновна"), ("Вадим", "Вадимович", "Вадимовна"),
    ("Григорий", "Григорьевич", "Григорьевна"), ("Пётр", "Петрович", "Петровна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"), ("Борис", "Борисович", "Борисовна"),
    ("Леонид", "Леонидович", "Леонидовна"), ("Станислав", "Станиславович", "Станиславовна"),
    ("Георгий", "Георгиевич", "Георгиевна"), ("Тимур", "Тимурович", "Тимуровна"),
    ("Ярослав", "Ярославович", "Ярославовна"), ("Глеб", "Глебович", "Глебовна"),
    ("Лев", "Львович", "Львовна"), ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"), ("Валерий", "Валерьевич", "Валерьевна"),
]

RU_FEMALE = [
    "Елена", "Ольга", "Наталья", "Татьяна", "Анна", "Мария", "Ирина", "Екатерина", "Светлана", "Юлия",
    "Анастасия", "Марина", "Дарья", "Ксения", "Виктория", "Алина", "Людмила", "Галина", "Надежда", "Валентина",
    "Полина", "Софья", "Алёна", "Вера", "Любовь", "Евгения", "Кристина", "Оксана", "Лариса", "Яна",
    "Елизавета", "Маргарита", "Диана", "Вероника", "Александра", "Жанна", "Нина", "Зоя", "Ульяна", "Варвара",
]

# Russian surnames in the male form; female forms are derived (-ов -> -ова, -ский -> -ская, ...).
RU_SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
    "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
    "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
    "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
    "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
    "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов",
    "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров",
    "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров",
    "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев",
    "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин", "Тихомиров",
    "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов",
    "Князев", "Цветков", "Левин", "Митрофанов", "Воронов", "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков",
    "Савин", "Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Дёмин", "Хохлов",
    "Жданов", "Руденко", "Шевченко", "Кравченко", "Бондаренко", "Ткаченко", "Коваленко", "Черных", "Седых", "Долгих",
    "Островский", "Вишневский", "Успенский", "Покровский", "Рождественский", "Соколовский", "Зелинский", "Толстой",
    "Трубецкой", "Лобанов", "Шубин", "Блинов", "Суханов", "Зуев", "Мухин", "Третьяков", "Рябов", "Кулагин",
]

EN_MALE = [
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua",
    "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan",
    "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
    "Oliver", "Harry", "Jack", "Charlie", "Oscar", "Leo", "Alfie", "Henry", "Freddie", "Archie",
]

EN_FEMALE = [
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
    "Carol", "Amanda", "Dorothy", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia",
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Florence", "Willow", "Evie", "Poppy", "Charlotte", "Ella", "Chloe", "Hannah",
]

EN_SURNAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker",
    "Evans", "Edwards", "Collins", "Stewart", "Morris", "Rogers", "Reed", "Cook", "Morgan", "Bell",
    "Murphy", "Bailey", "Cooper", "Richardson", "Cox", "Howard", "Ward", "Peterson", "Gray", "James",
    "Watson", "Brooks", "Kelly", "Sanders", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson",
    "Coleman", "Jenkins", "Perry", "Powell", "Long", "Patterson", "Hughes", "Flores", "Washington", "Butler",
    "Simmons", "Foster", "Bryant", "Alexander", "Russell", "Griffin", "Hayes", "Myers", "Ford", "Hamilton",
    "Graham", "Sullivan", "Wallace", "Woods", "Cole", "West", "Jordan", "Owens", "Reynolds", "Fisher",
    "Ellis", "Harrison", "Gibson", "McDonald", "Cruz", "Marshall", "Gomez", "Murray", "Freeman", "Wells",
    "Webb", "Simpson", "Stevens", "Tucker", "Porter", "Hunter", "Hicks", "Crawford", "Henry", "Boyd",
    "Mason", "Kennedy", "Warren", "Dixon", "Burns", "Gordon", "Shaw", "Holmes", "Rice", "Robertson",
    "Hunt", "Black", "Daniels", "Palmer", "Mills", "Grant", "Knight", "Ferguson", "Stone", "Hawkins",
    "Dunn", "Perkins", "Hudson", "Spencer", "Gardner", "Stephens", "Payne", "Pierce", "Berry", "Matthews",
    "Arnold", "Wagner", "Willis", "Ray", "Watkins", "Olson", "Carroll", "Duncan", "Snyder", "Hart",
    "Cunningham", "Bradley", "Lane", "Andrews", "Harper", "Fox", "Riley", "Armstrong", "Carpenter", "Weaver",
    "Greene", "Lawrence", "Elliott", "Chavez", "Sims", "Austin", "Peters", "Kelley", "Franklin", "Lawson",
    "O'Brien", "O'Connor", "Fitzgerald", "Lloyd", "Hughes-Wilson", "Kowalski", "Novak", "Schmidt", "Müller", "Dubois",
]

RU_TITLES = [
    "Генеральный директор", "Коммерческий директор", "Финансовый директор", "Главный бухгалтер", "Бухгалтер",
    "Менеджер по продажам", "Руководитель отдела продаж", "Менеджер по закупкам", "Начальник отдела снабжения",
    "Инженер", "Главный инженер", "Юрист", "Маркетолог", "Руководитель проекта", "Специалист по логистике",
    "Офис-менеджер", "Системный администратор", "Директор по развитию", "Менеджер по работе с клиентами", "Технолог",
]

EN_TITLES = [
    "CEO", "CFO", "COO", "Sales Manager", "Account Manager", "Head of Procurement", "Purchasing Manager",
    "Operations Manager", "Marketing Director", "Project Manager", "Software Engineer", "Office Manager",
    "Finance Director", "Business Development Manager", "Logistics Coordinator", "Legal Counsel", "IT Director",
    "Customer Success Manager", "Product Manager", "Managing Director",
]

RU_DEPARTMENTS = ["Продажи", "Закупки", "Бухгалтерия", "Маркетинг", "ИТ", "Логистика", "Юридический отдел", "Производство"]
EN_DEPARTMENTS = ["Sales", "Procurement", "Finance", "Marketing", "IT", "Operations", "Legal", "Customer Success"]

# (city, region, country, postal code prefix, landline area code) — weights go down the list.
RU_CITIES = [
    ("Москва", "Москва", "Россия", "1", "495"), ("Санкт-Петербург", "Санкт-Петербург", "Россия", "19", "812"),
    ("Новосибирск", "Новосибирская область", "Россия", "63", "383"),
    ("Екатеринбург", "Свердловская область", "Россия", "62", "343"),
    ("Казань", "Республика Татарстан", "Россия", "42", "843"),
    ("Нижний Новгород", "Нижегородская область", "Россия", "60", "831"),
    ("Челябинск", "Челябинская область", "Россия", "45", "351"), ("Самара", "Самарская область", "Россия", "44", "846"),
    ("Омск", "Омская область", "Россия", "64", "381"), ("Ростов-на-Дону", "Ростовская область", "Россия", "34", "863"),
    ("Уфа", "Республика Башкортостан", "Россия", "45", "347"), ("Красноярск", "Красноярский край", "Россия", "66", "391"),
    ("Пермь", "Пермский край", "Россия", "61", "342"), ("Воронеж", "Воронежская область", "Россия", "39", "473"),
    ("Волгоград", "Волгоградская область", "Россия", "40", "844"), ("Краснодар", "Краснодарский край", "Россия", "35", "861"),
    ("Тюмень", "Тюменская область", "Россия", "62", "345"), ("Иркутск", "Иркутская область", "Россия", "66", "395"),
    ("Минск", "Минская область", "Беларусь", "22", "17"), ("Алматы", "Алматы", "Казахстан", "05", "727"),
]

EN_CITIES = [
    ("London", "England", "United Kingdom", "EC1A", "20"), ("Manchester", "England", "United Kingdom", "M1", "161"),
    ("Birmingham", "England", "United Kingdom", "B1", "121"), ("Edinburgh", "Scotland", "United Kingdom", "EH1", "131"),
    ("New York", "NY", "United States", "100", "212"), ("San Francisco", "CA", "United States", "941", "415"),
    ("Chicago", "IL", "United States", "606", "312"), ("Boston", "MA", "United States", "021", "617"),
    ("Dublin", "Leinster", "Ireland", "D02", "1"), ("Toronto", "ON", "Canada", "M5H", "416"),
]

RU_STREETS = ["ул. Ленина", "ул. Гагарина", "пр. Мира", "ул. Советская", "ул. Садовая", "Невский пр.", "ул. Пушкина",
              "ул. Тверская", "ул. Лесная", "наб. Фонтанки", "ул. Профсоюзная", "Ленинградский пр."]
EN_STREETS = ["High Street", "Station Road", "Main Street", "Park Avenue", "Church Lane", "Oxford Street",
              "Market Street", "King Street", "Mill Road", "Broadway", "Elm Street", "Queen's Road"]

RU_COMPANY_WORDS = ["Ромашка", "Вектор", "Альянс", "Стройинвест", "ТехноСервис", "Глобус", "Меридиан", "Северсталь",
                    "Прогресс", "Энергия", "Горизонт", "Сибирь", "Волга", "Урал", "Спектр", "Парус", "Агроторг",
                    "Монолит", "Дельта", "Ресурс", "Интеграл", "Кристалл", "Феникс", "Оникс", "Атлант", "Лидер",
                    "Стандарт", "Гранит", "Восток", "Заря"]
RU_COMPANY_SUFFIX = ["", "", "", " Групп", " Трейд", " Софт", " Логистик", " Строй", " Плюс", "-М", " Инжиниринг"]
RU_COMPANY_FORMS = ["ООО", "ООО", "ООО", "АО", "ПАО", "ИП"]
EN_COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Northwind", "Contoso", "Fabrikam", "Vandelay", "Hooli",
                    "Stark", "Wayne", "Cyberdyne", "Tyrell", "Aperture", "Soylent", "Wonka", "Oscorp", "Massive",
                    "Blue Harbor", "Silverline", "Redwood", "Granite", "Summit", "Pioneer", "Keystone"]
EN_COMPANY_SUFFIX = ["Logistics", "Software", "Industries", "Consulting", "Systems", "Holdings", "Foods", "Energy",
                     "Partners", "Labs", "Trading", "Medical"]
EN_COMPANY_FORMS = ["Ltd", "LLC", "Inc.", "plc", "GmbH", "Corp."]

RU_MAIL_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "inbox.ru", "bk.ru", "rambler.ru", "list.ru", "ya.ru"]
EN_MAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.co.uk", "icloud.com", "proton.me"]

INDUSTRIES = ["it", "manufacturing", "retail", "wholesale", "finance", "construction", "logistics", "education",
              "healthcare", "services", "government", "other"]
COMPANY_TYPES = ["prospect", "customer", "partner", "competitor", "supplier", "other"]
SOURCES = ["web_form", "call", "email", "import", "referral", "cold_call", "advertising", "exhibition", "partner", "other"]
TAGS = ["vip", "newsletter", "partner", "key-account", "event-2025", "churn-risk"]

# Values of the benchmark's custom text field `c_region` ("Region"), roughly from common to rare.
# Each entry is (the usual spelling, other spellings people type into a free-text field).
RU_REGIONS = [
    ("Москва", ["г. Москва", "москва"]), ("Московская область", ["МО", "Моск. обл."]),
    ("Санкт-Петербург", ["СПб", "г. Санкт-Петербург"]), ("Ленинградская область", ["ЛО", "Лен. обл."]),
    ("Свердловская область", ["Свердловская обл."]), ("Краснодарский край", ["Кубань"]),
    ("Республика Татарстан", ["Татарстан"]), ("Новосибирская область", ["Новосибирская обл."]),
    ("Нижегородская область", ["Нижегородская обл."]), ("Республика Башкортостан", ["Башкирия"]),
    ("Челябинская область", ["Челябинская обл."]), ("Самарская область", ["Самарская обл."]),
    ("Ростовская область", ["Ростовская обл."]), ("Красноярский край", []), ("Пермский край", []),
    ("Воронежская область", []), ("Волгоградская область", []), ("Тюменская область", []),
    ("Иркутская область", []), ("Омская область", []), ("Кемеровская область", ["Кузбасс"]),
    ("Саратовская область", []), ("Ставропольский край", []), ("Приморский край", ["Приморье"]),
    ("Хабаровский край", []), ("Алтайский край", []), ("Оренбургская область", []), ("Ярославская область", []),
    ("Тульская область", []), ("Калининградская область", []), ("Владимирская область", []),
    ("Белгородская область", []), ("Удмуртская Республика", ["Удмуртия"]), ("Тверская область", []),
    ("Рязанская область", []), ("Калужская область", []), ("Пензенская область", []), ("Липецкая область", []),
    ("Кировская область", []), ("Архангельская область", []), ("Мурманская область", []), ("Томская область", []),
    ("Республика Крым", ["Крым"]), ("Смоленская область", []), ("Курская область", []), ("Ульяновская область", []),
    ("Вологодская область", []), ("Ханты-Мансийский автономный округ", ["ХМАО", "Югра"]),
    ("Ямало-Ненецкий автономный округ", ["ЯНАО"]), ("Республика Саха (Якутия)", ["Якутия"]),
    ("Минская область", []), ("Алматы", []),
]
EN_REGIONS = [
    ("Greater London", ["London"]), ("England", []), ("Greater Manchester", []), ("West Midlands", []),
    ("Scotland", []), ("NY", ["New York"]), ("CA", ["California"]), ("IL", ["Illinois"]), ("MA", ["Massachusetts"]),
    ("ON", ["Ontario"]), ("Leinster", ["Dublin"]), ("Wales", []), ("TX", ["Texas"]), ("WA", ["Washington"]),
]
