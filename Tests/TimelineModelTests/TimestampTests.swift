import Foundation
import Testing
@testable import TimelineModel

@Suite("Timestamp (RFC 3339, microseconds, UTC)")
struct TimestampTests {
    @Test("the epoch and a known instant format with six fractional digits and Z")
    func format() {
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(microseconds: 1_795_705_200_123_456).rfc3339 == "2026-11-26T15:00:00.123456Z")
        #expect(Timestamp(microseconds: 1).description == "1970-01-01T00:00:00.000001Z")
    }

    @Test("times before the epoch format correctly")
    func beforeEpoch() {
        #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(microseconds: -86_400_000_000).rfc3339 == "1969-12-31T00:00:00.000000Z")
    }

    @Test("RFC 3339 text round trips through parse and format", arguments: [
        "2026-11-26T15:00:00.123456Z", "1970-01-01T00:00:00.000000Z", "2000-02-29T23:59:59.999999Z",
        "1999-12-31T23:59:59.000001Z", "2400-02-29T12:00:00.000000Z", "0001-01-01T00:00:00.000000Z",
        "9999-12-31T23:59:59.999999Z",
    ])
    func roundTrip(text: String) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.rfc3339 == text)
        #expect(Timestamp(rfc3339: t.rfc3339) == t)
    }

    @Test("offsets are converted to UTC", arguments: [
        ("2026-11-26T16:00:00+01:00", "2026-11-26T15:00:00.000000Z"),
        ("2026-11-26T10:30:00-04:30", "2026-11-26T15:00:00.000000Z"),
        ("2026-11-27T00:30:00+09:30", "2026-11-26T15:00:00.000000Z"),
        ("2026-12-31T23:00:00-02:00", "2027-01-01T01:00:00.000000Z"),
        ("2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00.000000Z"),
        ("2026-11-26T15:00:00+00:00", "2026-11-26T15:00:00.000000Z"),
        ("2026-11-26T15:00:00-00:00", "2026-11-26T15:00:00.000000Z"),
        ("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000000Z"),
    ])
    func offsets(text: String, utc: String) {
        #expect(Timestamp(rfc3339: text)?.rfc3339 == utc)
    }

    @Test("fractions shorter than six digits are padded and longer ones truncated", arguments: [
        ("2026-11-26T15:00:00Z", "2026-11-26T15:00:00.000000Z"), ("2026-11-26T15:00:00.1Z", "2026-11-26T15:00:00.100000Z"),
        ("2026-11-26T15:00:00.123Z", "2026-11-26T15:00:00.123000Z"),
        ("2026-11-26T15:00:00.1234567Z", "2026-11-26T15:00:00.123456Z"),
        ("2026-11-26T15:00:00.999999999Z", "2026-11-26T15:00:00.999999Z"),
        ("2026-11-26t15:00:00.5z", "2026-11-26T15:00:00.500000Z"),
    ])
    func fractions(text: String, normalised: String) {
        #expect(Timestamp(rfc3339: text)?.rfc3339 == normalised)
    }

    @Test("leap years: Feb 29 exists in 2024 and 2000, not in 2026, 1900 or 2100")
    func leapYears() {
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "1900-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2100-02-29T00:00:00Z") == nil)
        // The day after Feb 28 of a leap year is Feb 29, then March 1.
        let feb28 = Timestamp(rfc3339: "2024-02-28T12:00:00Z")!
        #expect(feb28.adding(hours: 24).rfc3339 == "2024-02-29T12:00:00.000000Z")
        #expect(feb28.adding(hours: 48).rfc3339 == "2024-03-01T12:00:00.000000Z")
        #expect(Timestamp(rfc3339: "2026-02-28T12:00:00Z")!.adding(hours: 24).rfc3339 == "2026-03-01T12:00:00.000000Z")
    }

    @Test("every day from 1970 to 2400 formats as Foundation's Gregorian calendar says, and parses back (both the general parser and the stored-record reader)")
    func everyDay() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let end = try #require(calendar.date(from: DateComponents(year: 2400, month: 12, day: 31)))
        var day: Int64 = 0
        var checked = 0
        while true {
            let date = Date(timeIntervalSince1970: Double(day * 86_400))
            if date > end { break }
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let t = Timestamp(microseconds: day * 86_400_000_000 + 43_200_123_456)
            let text = t.rfc3339
            let expected = String(format: "%04d-%02d-%02dT12:00:00.123456Z", c.year ?? 0, c.month ?? 0, c.day ?? 0)
            guard text == expected else {
                Issue.record("day \(day): \(text), Foundation says \(expected)")
                return
            }
            #expect(Timestamp(rfc3339: text) == t)
            // The stored-record reader's fast path reads the daemon's form itself.
            let quoted = Array("\"\(text)\"".utf8)
            let fast = quoted.withUnsafeBufferPointer { CanonicalRecordReader.time($0, 0..<$0.count) }
            #expect(fast?.0 == t && fast?.daemonForm == true, "\(text)")
            day += 1
            checked += 1
        }
        #expect(checked == 157_420, "1970-01-01 … 2400-12-31")
    }

    @Test("a leap second is read as the 59th second")
    func leapSecond() {
        #expect(Timestamp(rfc3339: "2016-12-31T23:59:60Z")?.rfc3339 == "2016-12-31T23:59:59.000000Z")
    }

    @Test("malformed text is refused", arguments: [
        "", "2026-11-26", "2026-11-26T15:00:00", "2026-11-26 15:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-11-31T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T15:60:00Z",
        "2026-11-26T15:00:61Z", "2026-11-26T15:00:00.Z", "2026-11-26T15:00:00+0100", "2026-11-26T15:00:00+24:00",
        "2026-11-26T15:00:00+01:60", "2026-11-26T15:00:00Zjunk", "26-11-26T15:00:00Z", "2026/11/26T15:00:00Z",
        "2026-11-26T15:00:00+01", "2026-1-26T15:00:00Z", "２０２６-11-26T15:00:00Z", "2026-11-26T15:00:00 Z",
    ])
    func invalid(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("timestamps order by instant and adding hours moves them")
    func ordering() {
        let a = Timestamp(rfc3339: "2026-11-26T16:00:00+01:00")!
        let b = Timestamp(rfc3339: "2026-11-26T15:00:00.000001Z")!
        #expect(a < b)
        #expect(a.adding(hours: 24).rfc3339 == "2026-11-27T15:00:00.000000Z")
        #expect(a.adding(hours: -1).rfc3339 == "2026-11-26T14:00:00.000000Z")
    }
}
