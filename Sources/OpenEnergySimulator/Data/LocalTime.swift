import Foundation

/// Local days and times in CKW's time zone (Europe/Zurich) on epoch seconds.
///
/// A local day runs from local midnight to the next; with daylight saving time it has 92, 96 or 100
/// quarter hours. Zurich switches at 01:00 UTC, never at midnight, which keeps midnight unambiguous.
struct LocalTime: Sendable {
    let timeZone: TimeZone

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    static let zurich = LocalTime(timeZone: TimeZone(identifier: "Europe/Zurich")!)

    /// Seconds east of UTC at an instant.
    @inline(__always)
    func utcOffset(at epochSeconds: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    /// The local day (days since 1970-01-01 on the local calendar) an instant belongs to.
    func localDay(containing epochSeconds: Int) -> Int {
        floorDivide(epochSeconds + utcOffset(at: epochSeconds), 86400)
    }

    /// The instant of a local wall-clock time; on the spring-forward gap it lands an hour later.
    func instant(localDay: Int, secondsAfterMidnight: Int) -> Int {
        let naive = localDay * 86400 + secondsAfterMidnight
        let guess = naive - utcOffset(at: naive - 3600)
        let offset = utcOffset(at: guess)
        return naive - offset
    }

    /// Local midnight at the start of a local day.
    func midnight(localDay: Int) -> Int {
        instant(localDay: localDay, secondsAfterMidnight: 0)
    }

    /// Seconds since local midnight of the local day the instant belongs to, as a wall clock shows them
    /// (so 07:00 is 25,200 on every day, DST days included).
    func wallClockSeconds(at epochSeconds: Int) -> Int {
        let local = epochSeconds + utcOffset(at: epochSeconds)
        return local - floorDivide(local, 86400) * 86400
    }
}
