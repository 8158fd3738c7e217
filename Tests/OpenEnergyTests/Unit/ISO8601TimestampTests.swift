import Foundation
import PropertyBased
import Testing

@testable import OpenEnergy
import Timestamps

@Suite("ISO 8601 timestamps")
struct ISO8601TimestampTests {
    @Test("parses the contract's forms", arguments: [
        ("2026-11-26T23:00:00Z", 1_795_734_000.0),
        ("2026-11-26T23:00:00+00:00", 1_795_734_000.0),
        ("2026-11-26T23:00:00.250Z", 1_795_734_000.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-02-29T12:30:15Z", 1_709_209_815.0),
        ("2026-11-26 23:00:00Z", 1_795_734_000.0),
        ("2026-11-26T23:00:00+01:00", 1_795_730_400.0),
        ("2026-11-26T23:00:00-00:30", 1_795_735_800.0),
    ])
    func parsesKnownValues(text: String, epochSeconds: Double) {
        #expect(ISO8601Timestamp.parse(text)?.timeIntervalSince1970 == epochSeconds)
    }

    @Test("rejects what is not an RFC 3339 timestamp with a zone", arguments: [
        "", "2026-11-26", "2026-11-26T23:00:00", "2026-11-26_23:00:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T23:00:00+24:00", "2026-11-26T23:00:00.Z",
        "2026-11-26T23:00:00Zjunk", "2026-11-2xT23:00:00Z", "2026-11-26T23:00:00+01:60", "2026-11-26T23:00:00+1",
    ])
    func rejectsMalformed(text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }

    @Test("format and parse are inverse for whole seconds")
    func roundTrip() async {
        await propertyCheck(input: Gen.int(in: -2_000_000_000...8_000_000_000)) { seconds in
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(ISO8601Timestamp.parse(ISO8601Timestamp.format(date)) == date)
        }
    }

    @Test("any offset is converted exactly, as Foundation's ISO8601DateFormatter reads it")
    func offsetsAgreeWithFoundation() async {
        await propertyCheck(input: Gen.int(in: 0...4_000_000_000), Gen.int(in: -56...56)) { seconds, quarterHours in
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(secondsFromGMT: quarterHours * 900)!
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = formatter.string(from: date)
            #expect(ISO8601Timestamp.parse(text) == date, "\(text)")
        }
    }

    @Test("agrees with Foundation's ISO8601DateFormatter")
    func agreesWithFoundation() async {
        await propertyCheck(input: Gen.int(in: 0...4_000_000_000)) { seconds in
            let formatter = ISO8601DateFormatter()
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(ISO8601Timestamp.parse(text) == formatter.date(from: text))
            #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: TimeInterval(seconds))) == text)
        }
    }
}
