// MARK: - ISO 4217 currency codes accepted in prices

/// The currency codes a price (`order.placed` `data.price.currency`) may use.
///
/// Source: ISO 4217 List One, "Current currency & funds code list", as published
/// by SIX Financial Information AG, the ISO 4217 maintenance agency
/// (www.six-group.com, `list-one.xml`), dated 2025-05-12; it has 179 alphabetic
/// codes. A price is an amount in minor units, so the 13 codes whose minor unit
/// that list gives as "N.A." are left out: the precious metals XAU, XAG, XPD, XPT,
/// the bond-market units XBA, XBB, XBC, XBD, the units of account XDR, XSU, XUA,
/// the testing code XTS and XXX ("no currency"). Funds codes that do have a minor
/// unit (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW, XAD) are accepted. BGN is
/// still on the list of that date although Bulgaria adopted the euro on
/// 2026-01-01. To update: replace the codes from the newest List One and change
/// the date above.
enum ISO4217 {
    /// The 166 accepted alphabetic codes.
    static let currencyCodes: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
        "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE",
        "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
        "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
        "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
        "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
        "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV",
        "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR",
        "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
        "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
        "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND",
        "VUV", "WST", "XAD", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
    ]
}
