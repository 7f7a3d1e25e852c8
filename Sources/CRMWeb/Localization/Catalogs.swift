/// The UI strings of each language, one file a language (`Catalog+ru.swift`, …). Every key is
/// in all three; plural keys end in the categories their language uses (`.one`, `.few`,
/// `.many` in Russian; `.one`, `.other` in Bulgarian and English).
enum Catalogs {}
