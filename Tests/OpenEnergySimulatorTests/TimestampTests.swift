import Foundation
import PropertyBased
import Testing
@testable import OpenEnergySimulator

@Suite("Timestamps and calendar arithmetic")
struct TimestampTests {
    @Test("format then parse gives the same instant")
    func roundTrip() async {
        await propertyCheck(input: Gen.int(in: -2_000_000_000...5_000_000_000)) { seconds in
            #expect(UTCTimestamp.parse(UTCTimestamp.format(seconds)) == seconds)
        }
    }

    @Test("formatting agrees with Foundation's ISO 8601 formatter")
    func agreesWithFoundation() async {
        await propertyCheck(input: Gen.int(in: 0...4_000_000_000)) { seconds in
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(UTCTimestamp.format(seconds) == date.formatted(.iso8601))
        }
    }

    @Test("day numbers and civil dates convert both ways")
    func civilRoundTrip() async {
        await propertyCheck(input: Gen.int(in: -800_000...800_000)) { day in
            #expect(CivilDate(dayNumber: CivilDate(dayNumber: day).dayNumber).dayNumber == day)
            #expect(CivilDate(dayNumber: day).dayNumber == day)
        }
    }

    @Test("offsets, fractions and invalid inputs", arguments: [
        ("2026-03-29T03:00:00+02:00", 1_774_746_000 as Int?),
        ("2026-03-29T01:00:00Z", 1_774_746_000),
        ("2026-03-29T01:00:00.750Z", 1_774_746_000),
        ("2026-03-29T02:00:00+0100", 1_774_746_000),
        ("2026-03-29T01:00Z", 1_774_746_000),
        ("2026-03-29T01:00:00", nil),
        ("2026-13-01T00:00:00Z", nil),
        ("2026-02-29T00:00:00Z", nil),
        ("2026-03-29", nil),
        ("2026-03-29T01:00:00Zjunk", nil),
    ])
    func parsing(text: String, expected: Int?) {
        #expect(UTCTimestamp.parse(text) == expected)
    }

    @Test("Zurich local days: midnights and DST")
    func localDays() {
        let zurich = LocalTime.zurich
        let spring = CivilDate(year: 2026, month: 3, day: 29).dayNumber
        #expect(UTCTimestamp.format(zurich.midnight(localDay: spring)) == "2026-03-28T23:00:00Z")
        #expect(UTCTimestamp.format(zurich.midnight(localDay: spring + 1)) == "2026-03-29T22:00:00Z")
        #expect(zurich.localDay(containing: zurich.midnight(localDay: spring)) == spring)
        #expect(zurich.localDay(containing: zurich.midnight(localDay: spring) - 1) == spring - 1)
        // 07:00 wall clock on the spring day is 05:00Z.
        #expect(UTCTimestamp.format(zurich.instant(localDay: spring, secondsAfterMidnight: 7 * 3600)) == "2026-03-29T05:00:00Z")
    }
}
