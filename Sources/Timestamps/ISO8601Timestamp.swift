import Foundation

/// A hand-written parser and formatter for the RFC 3339 timestamps of the wire contract.
///
/// `DateFormatter` and `ISO8601DateFormatter` cost microseconds per call; a 31-day response holds about
/// 12,000 timestamps, so they would dominate decoding. Accepted:
/// `yyyy-MM-dd(T|t| )HH:mm:ss[.fraction](Z|z|±HH:MM|±HHMM|±HH)`; any offset is converted exactly to UTC.
/// `parseAllowingMissingZone` also reads a timestamp without a zone, for the caller to place in a time zone.
package enum ISO8601Timestamp {
    /// Parses a timestamp with a zone, or returns `nil` when it is not in the accepted form.
    package static func parse(_ string: String) -> Date? {
        var string = string
        return string.withUTF8 { parse(utf8: $0) }
    }

    package static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard let parsed = parseAllowingMissingZone(utf8: bytes), let offset = parsed.offsetSeconds else { return nil }
        return Date(timeIntervalSince1970: parsed.wallClockSeconds - Double(offset))
    }

    /// A timestamp as written: its wall-clock time counted as if it were UTC, and its offset from UTC
    /// (`nil` when it names no zone).
    package struct Parsed: Sendable, Equatable {
        package var wallClockSeconds: Double
        package var offsetSeconds: Int?

        /// The instant, when the timestamp names its zone.
        package var instant: Date? {
            offsetSeconds.map { Date(timeIntervalSince1970: wallClockSeconds - Double($0)) }
        }
    }

    package static func parseAllowingMissingZone(_ string: String) -> Parsed? {
        var string = string
        return string.withUTF8 { parseAllowingMissingZone(utf8: $0) }
    }

    package static func parseAllowingMissingZone(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Parsed? {
        // Minimum: "yyyy-MM-ddTHH:mm:ss" = 19 bytes.
        guard bytes.count >= 19 else { return nil }
        guard let year = digits(bytes, 0, 4), bytes[4] == dash,
              let month = digits(bytes, 5, 2), bytes[7] == dash,
              let day = digits(bytes, 8, 2), bytes[10] == letterT || bytes[10] == letterLowerT || bytes[10] == space,
              let hour = digits(bytes, 11, 2), bytes[13] == colon,
              let minute = digits(bytes, 14, 2), bytes[16] == colon,
              let second = digits(bytes, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == dot {
            index += 1
            let fractionStart = index
            var numerator = 0
            var denominator = 1
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                // Beyond nanoseconds a `Date` cannot tell the difference.
                if index - fractionStart < 9 {
                    numerator = numerator * 10 + digit
                    denominator *= 10
                }
                index += 1
            }
            guard index > fractionStart else { return nil }
            fraction = Double(numerator) / Double(denominator)
        }
        var offset: Int?
        if index < bytes.count {
            switch bytes[index] {
            case letterZ, letterLowerZ:
                offset = 0
                index += 1
            case plus, dash:
                let sign = bytes[index] == dash ? -1 : 1
                index += 1
                guard let hours = digits(bytes, index, 2), hours <= 23 else { return nil }
                index += 2
                var minutes = 0
                if index < bytes.count {
                    if bytes[index] == colon { index += 1 }
                    guard let value = digits(bytes, index, 2), value <= 59 else { return nil }
                    minutes = value
                    index += 2
                }
                offset = sign * (hours * 3_600 + minutes * 60)
            default:
                return nil
            }
        }
        guard index == bytes.count else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
        return Parsed(wallClockSeconds: seconds, offsetSeconds: offset)
    }

    /// Formats as `yyyy-MM-ddTHH:mm:ssZ`, adding `.SSS` only when the date has a sub-second part.
    package static func format(_ date: Date) -> String {
        // Four-digit years only: a date outside them (from a hostile header, say) is shown at the
        // nearest end rather than trapping in the integer conversion below.
        let raw = date.timeIntervalSince1970.isNaN ? 0 : date.timeIntervalSince1970
        let interval = min(max(raw, -62_167_219_200), 253_402_300_799)
        let wholeSeconds = Int(interval.rounded(.down))
        let milliseconds = Int(((interval - Double(wholeSeconds)) * 1_000).rounded())
        var days = wholeSeconds / 86_400
        var secondOfDay = wholeSeconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(fromDaysSinceEpoch: days)
        var result = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        result += "T" + pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay % 3_600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if milliseconds > 0 && milliseconds < 1_000 {
            result += "." + pad(milliseconds, 3)
        }
        return result + "Z"
    }

    // MARK: Calendar arithmetic (proleptic Gregorian, Howard Hinnant's days_from_civil)

    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilDate(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // MARK: Bytes

    private static let dash = UInt8(ascii: "-")
    private static let colon = UInt8(ascii: ":")
    private static let dot = UInt8(ascii: ".")
    private static let plus = UInt8(ascii: "+")
    private static let letterT = UInt8(ascii: "T")
    private static let letterLowerT = UInt8(ascii: "t")
    private static let letterZ = UInt8(ascii: "Z")
    private static let letterLowerZ = UInt8(ascii: "z")
    private static let space = UInt8(ascii: " ")

    @inline(__always)
    private static func digitValue(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }

    @inline(__always)
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard let digit = digitValue(bytes[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
