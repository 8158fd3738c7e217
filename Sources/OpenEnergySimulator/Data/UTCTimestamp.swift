import Foundation

/// ISO 8601 timestamps in UTC, formatted and parsed by hand for speed (see ``CivilDate``).
enum UTCTimestamp {
    /// `2026-11-26T23:00:00Z` for whole epoch seconds.
    static func format(_ epochSeconds: Int) -> String {
        let day = floorDivide(epochSeconds, 86400)
        let secondOfDay = epochSeconds - day * 86400
        let date = CivilDate(dayNumber: day)
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(date.year, 4, at: 0)
        bytes[4] = UInt8(ascii: "-")
        put(date.month, 2, at: 5)
        bytes[7] = UInt8(ascii: "-")
        put(date.day, 2, at: 8)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 2, at: 11)
        bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 2, at: 14)
        bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 2, at: 17)
        bytes[19] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    static func format(_ date: Date) -> String {
        format(Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM|±HHMM)`; a date and time without an offset is
    /// ambiguous and rejected. Returns epoch seconds (fractions dropped).
    static func parse(_ text: some StringProtocol) -> Int? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + width)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), (1...31).contains(day),
            expect("T") || expect("t") || expect(" "),
            let hour = number(2), expect(":"), let minute = number(2),
            hour < 24, minute < 60
        else { return nil }
        var second = 0
        if expect(":") {
            guard let s = number(2), s < 61 else { return nil }
            second = s
            if expect(".") || expect(",") {
                let fractionStart = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    index += 1
                }
                guard index > fractionStart else { return nil }
            }
        }
        var offset = 0
        if expect("Z") || expect("z") {
            offset = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2) else { return nil }
            _ = expect(":")
            guard let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let civil = CivilDate(year: year, month: month, day: day)
        let dayNumber = civil.dayNumber
        guard CivilDate(dayNumber: dayNumber) == civil else { return nil }  // e.g. February 30th
        return dayNumber * 86400 + hour * 3600 + minute * 60 + second - offset
    }
}
