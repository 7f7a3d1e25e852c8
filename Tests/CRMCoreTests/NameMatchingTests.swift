import Foundation
import Testing

@testable import CRMCore

struct NameMatchingTests {
    static let spellingsOfOneName: [[String]] = [
        ["Иванов", "Ivanov", "Ivanoff", "IVANOV"],
        ["Юрий", "Yuri", "Iurii", "Yury", "Jurij", "Yuriy"],
        ["Щукин", "Shchukin", "Schukin"],
        ["Сергей", "Sergey", "Sergei"],
        ["Александр", "Aleksandr", "Alexander", "Alexandr"],
        ["Хабибуллин", "Khabibullin", "Habibullin", "Habibulin"],
        ["Фёдор", "Федор", "Fedor", "Fyodor", "Fiodor", "Fjodor"],
        ["Евгений", "Evgeny", "Yevgeniy", "Evgenii", "Evgenij", "Yevgeny"],
        ["Наталья", "Наталия", "Natalya", "Natalia", "Natalja", "Natal'ya"],
        ["Пётр", "Petr", "Pyotr", "Piotr", "Peter"],
        ["Алексеев", "Alekseev", "Alexeyev", "Alekseyev"],
        ["Дмитрий", "Dmitry", "Dmitriy", "Dmitrii", "Dmitri"],
        ["Ксения", "Kseniya", "Ksenia", "Xenia"],
        ["Кузнецов", "Kuznetsov", "Kuznetzov"],
        ["Чайковский", "Chaikovsky", "Tchaikovsky", "Tschaikowski", "Czajkowski"],
        ["Королёв", "Korolev", "Korolyov"],
        ["Елена", "Elena", "Yelena", "Jelena"],
        ["Щерев", "Shterev"],
        ["Стъпков", "Stapkov"],
        ["Жельо", "Zhelyo"],
        ["Müller", "Muller"],
        ["Йордан", "Yordan", "Iordan", "Jordan"],
        ["Ёлкин", "Yolkin", "Jolkin", "Iolkin"],
        ["Григорьев", "Grigoriev", "Grigoryev", "Grigorjev", "Grigorev"],
        ["Соловьёв", "Соловьев", "Соловьов", "Solovyov", "Soloviev", "Solovev"],
        ["Вячеслав", "Vyacheslav", "Viacheslav", "Wjatscheslaw"],
        ["Георгий", "Георги", "Georgiy", "Georgi"],
        ["Микола", "Mykola", "Mikola"],
        ["Ковальчук", "Kovalchuk", "Kowalczuk"],
    ]

    @Test(arguments: spellingsOfOneName)
    func spellingsOfOneNameShareASkeleton(_ spellings: [String]) {
        let skeletons = Set(spellings.map(NameMatching.skeleton))
        #expect(skeletons.count == 1, "\(spellings) gave \(skeletons.sorted())")
    }

    @Test func skeletonsAreReadableLowercaseASCII() {
        #expect(NameMatching.skeleton("Щукин") == "shchukin")
        #expect(NameMatching.skeleton("Иванов") == "ivanov")
        #expect(NameMatching.skeleton("Юрий") == "iuri")
        #expect(NameMatching.skeleton("Хабибуллин") == "habibulin")
        #expect(NameMatching.skeleton("Александр") == "aleksandr")
        for group in Self.spellingsOfOneName {
            for word in group {
                #expect(NameMatching.skeleton(word).allSatisfy { ("a"..."z").contains($0) })
            }
        }
    }

    @Test(arguments: ["", "123", "—", "«»", "42-17"])
    func wordsWithoutLettersHaveAnEmptySkeleton(_ word: String) {
        #expect(NameMatching.skeleton(word) == "")
    }

    static let differentNames: [(String, String)] = [
        ("Петров", "Сидоров"), ("Иван", "Иона"), ("Ольга", "Олег"), ("Мария", "Марина"), ("Александр", "Алексей"),
        ("Сергей", "Сергеев"), ("Шишкин", "Щукин"), ("Жуков", "Зуев"), ("Иванов", "Ивашов"), ("Петров", "Петренко"),
    ]

    @Test(arguments: differentNames)
    func differentNamesHaveDifferentSkeletons(_ first: String, _ second: String) {
        #expect(NameMatching.skeleton(first) != NameMatching.skeleton(second))
    }

    @Test func wordsSplitOnNonLettersKeepApostrophesAndDigits() {
        #expect(NameMatching.words("Иван-Петров  Сидоров") == ["иван", "петров", "сидоров"])
        #expect(NameMatching.words("Natal'ya O’Neil") == ["natalya", "oneil"])
        #expect(NameMatching.words(#"ООО "Ромашка" «Плюс»"#) == ["ооо", "ромашка", "плюс"])
        #expect(NameMatching.words("Филиал №2") == ["филиал", "2"])
        #expect(NameMatching.words("  'quoted'  ") == ["quoted"])
    }

    static let sameNames: [(String, String)] = [
        ("Иван Петров", "Petrov Ivan"),
        ("Юрий Щукин", "Schukin Iurii"),
        ("Фёдор Хабибуллин", "Fyodor Khabibullin"),
        ("Евгений Сергеевич Алексеев", "Yevgeniy Sergeyevich Alexeyev"),
        ("Наталья Кузнецова", "Natalia Kuznetzova"),
        ("Александр Иванов", "ALEXANDER IVANOFF"),
    ]

    @Test(arguments: sameNames)
    func spellingVariantsInAnyOrderScoreHigh(_ first: String, _ second: String) {
        #expect(NameMatching.similarity(first, second) >= 0.9)
        #expect(NameMatching.isLikelySame(first, second))
    }

    static let typos: [(String, String)] = [
        ("Константин Вишневский", "Константин Вишнеский"),
        ("Екатерина Александрова", "Екатерина Алекснадрова"),
        ("Khabibullin", "Khabibulline"),
        ("Konstantinopolsky", "Konstantinopolskiy"),
        ("Maximilian Rosenberg", "Maximilian Rozenbreg"),
    ]

    @Test(arguments: typos)
    func aTypoInALongWordStillScoresHigh(_ first: String, _ second: String) {
        #expect(NameMatching.similarity(first, second) >= 0.85)
    }

    static let unrelatedNames: [(String, String)] = [
        ("Иван Петров", "Мария Сидорова"),
        ("Петров", "Сидоров"),
        ("Иван Петров", "Иван Сидоров"),
        ("ООО Ромашка", "ООО Лютик"),
        ("Acme LLC", "Globex Inc"),
        ("Ольга Смирнова", "Олег Смирнов"),
        ("Иван Иванович Петров", "Иван Сергеевич Петров"),
        ("Андрей Козлов", "Дмитрий Волков"),
    ]

    @Test(arguments: unrelatedNames)
    func unrelatedNamesScoreLow(_ first: String, _ second: String) {
        #expect(NameMatching.similarity(first, second) < 0.85)
        #expect(!NameMatching.isLikelySame(first, second))
    }

    @Test func fullyUnrelatedNamesScoreBelowSixTenths() {
        #expect(NameMatching.similarity("Иван Петров", "Мария Сидорова") < 0.6)
        #expect(NameMatching.similarity("ООО Ромашка", "ЗАО Лютик") < 0.6)
        #expect(NameMatching.similarity("Андрей Козлов", "Дмитрий Волков") < 0.6)
        #expect(NameMatching.similarity("Иван Петров", "Иван Сидоров") < 0.6)
    }

    static let sameCompanies: [(String, String)] = [
        (#"ООО "Ромашка""#, "Romashka LLC"),
        ("«Ромашка» ЕООД", "ООО Ромашка"),
        ("Общество с ограниченной ответственностью «Ромашка»", "Romashka Ltd"),
        ("ПАО Газпром", "Gazprom PJSC"),
        ("Siemens AG", "Siemens"),
        ("Балкан Стар АД", "Balkan Star JSC"),
    ]

    @Test(arguments: sameCompanies)
    func companyNamesIgnoreLegalFormsAndQuotes(_ first: String, _ second: String) {
        #expect(NameMatching.similarity(first, second) == 1)
    }

    @Test func aNameOfLegalFormsOnlyStillCompares() {
        #expect(NameMatching.similarity("ООО", "ООО") == 1)
    }

    @Test func digitsTellBranchesApart() {
        #expect(!NameMatching.isLikelySame("Филиал 1", "Филиал 2"))
    }

    @Test func aMissingPatronymicHardlyMatters() {
        #expect(NameMatching.isLikelySame("Иван Петров", "Петров Иван Сергеевич"))
        #expect(NameMatching.isLikelySame("Олена Коваленко", "Коваленко Олена Іванівна"))
        #expect(NameMatching.similarity("Иван Петров", "Петров Иван Сергеевич") < 1)
    }

    @Test func anExtraOrdinaryWordLowersTheScore() {
        let score = NameMatching.similarity("Ромашка", "Ромашка Плюс")
        #expect(score > 0.6 && score < 0.85)
    }

    @Test func initialsMatchTheirNameButNotFully() {
        let score = NameMatching.similarity("Петров И.", "Иван Петров")
        #expect(score >= 0.85 && score < 1)
        #expect(NameMatching.similarity("Петров Е.", "Yevgeny Petrov") >= 0.85)
        #expect(NameMatching.similarity("Петров С.", "Иван Петров") < 0.85)
    }

    @Test func similarityIsSymmetricAndBounded() {
        let names = ["Иван Петров", "Petrov Ivan", "ООО Ромашка", "Петров И.", "Иван Иванович Петров", "", "123"]
        for first in names {
            for second in names {
                let score = NameMatching.similarity(first, second)
                #expect((0...1).contains(score))
                #expect(abs(score - NameMatching.similarity(second, first)) < 1e-9)
            }
        }
    }

    @Test func emptyNamesAreNeverTheSame() {
        #expect(NameMatching.similarity("", "") == 0)
        #expect(NameMatching.similarity("Иван", "—") == 0)
    }

    @Test func thresholdIsAdjustable() {
        let score = NameMatching.similarity("Ромашка", "Ромашка Плюс")
        #expect(NameMatching.isLikelySame("Ромашка", "Ромашка Плюс", threshold: score))
        #expect(!NameMatching.isLikelySame("Ромашка", "Ромашка Плюс", threshold: score + 0.01))
    }

    @Test func jaroWinklerMatchesTheTextbookValues() {
        #expect(abs(NameMatching.jaroWinkler(Array("martha".utf8), Array("marhta".utf8)) - 0.961) < 0.001)
        #expect(abs(NameMatching.jaroWinkler(Array("dwayne".utf8), Array("duane".utf8)) - 0.84) < 0.001)
        #expect(NameMatching.jaroWinkler(Array("abc".utf8), Array("xyz".utf8)) == 0)
    }

    @Test func editDistanceCountsASwapOfNeighboursAsOneEdit() {
        #expect(NameMatching.editDistance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(NameMatching.editDistance(Array("ivan".utf8), Array("ivna".utf8)) == 1)
        #expect(NameMatching.editDistance(Array("".utf8), Array("abc".utf8)) == 3)
        #expect(NameMatching.editDistance(Array("olga".utf8), Array("oleg".utf8)) == 2)
    }
}
