/// A UTC instant with microsecond precision, the daemon's unit of time.
///
/// Its text form is RFC 3339 with exactly six fractional digits and `Z`
/// (`2026-11-26T15:00:00.123456Z`), as PROTOCOL.md requires for `recordedAt`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// An instant `microseconds` after the Unix epoch.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// This instant moved by whole hours.
    public func adding(hours: Int64) -> Timestamp { Timestamp(microseconds: microseconds + hours * 3_600_000_000) }

    /// This instant moved by whole seconds.
    public func adding(seconds: Int64) -> Timestamp { Timestamp(microseconds: microseconds + seconds * 1_000_000) }

    /// The RFC 3339 text with six fractional digits and `Z`.
    public var description: String { rfc3339 }

    /// The RFC 3339 text with six fractional digits and `Z`.
    public var rfc3339: String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        writeRFC3339(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the RFC 3339 text (six fractional digits and `Z`) to `out`
    /// without building a `String`: the hot path of every record and view.
    public func writeRFC3339(into out: inout [UInt8]) {
        let (seconds, micros) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        var secs = seconds
        var us = micros
        if us < 0 { us += 1_000_000; secs -= 1 }
        let (days, secOfDay) = floorDivide(secs, 86_400)
        let (y, m, d) = Timestamp.civil(fromDays: days)
        pad(y, 4, &out); out.append(UInt8(ascii: "-"))
        pad(m, 2, &out); out.append(UInt8(ascii: "-"))
        pad(d, 2, &out); out.append(UInt8(ascii: "T"))
        pad(secOfDay / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        pad(secOfDay % 3600 / 60, 2, &out); out.append(UInt8(ascii: ":"))
        pad(secOfDay % 60, 2, &out); out.append(UInt8(ascii: "."))
        pad(us, 6, &out); out.append(UInt8(ascii: "Z"))
    }

    /// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`); `nil` if malformed.
    /// Fractions beyond microseconds are truncated.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard let year = num(0, 4), b[4] == 45, let month = num(5, 2), b[7] == 45, let day = num(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = num(11, 2), b[13] == 58, let minute = num(14, 2), b[16] == 58, let second = num(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(b[i] - 48); digits += 1 }
                i += 1
            }
            guard i > start else { return nil }
            while digits < 6 { micros *= 10; digits += 1 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Timestamp.days(fromCivil: year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        self.microseconds = secs * 1_000_000 + micros
    }

    // MARK: - Calendar arithmetic (Howard Hinnant's civil-from-days)

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
    var q = a / b
    var r = a % b
    if r < 0 { q -= 1; r += b }
    return (q, r)
}

/// Appends the low `width` decimal digits of `value`, zero-padded.
private func pad(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
    let start = out.count
    var v = value
    for _ in 0..<width { out.append(UInt8(ascii: "0")) }
    var i = start + width - 1
    while i >= start {
        out[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
        v /= 10
        i -= 1
    }
}
