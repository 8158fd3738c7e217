import Foundation

/// The sun's elevation above the horizon, from NOAA's general solar position formulas (accurate to a
/// fraction of a degree, ample for shaping a production curve).
struct SolarPosition: Sendable {
    /// Lucerne.
    static let lucerne = SolarPosition(latitude: 47.05, longitude: 8.31)

    let latitude: Double
    let longitude: Double

    /// Sine of the elevation angle at an instant (negative at night).
    func sineOfElevation(at epochSeconds: Int) -> Double {
        let day = floorDivide(epochSeconds, 86400)
        let secondOfDay = Double(epochSeconds - day * 86400)
        let dayOfYear = Double(CivilDate(dayNumber: day).dayOfYear)
        // Fractional year in radians.
        let gamma = 2 * Double.pi / 365 * (dayOfYear - 1 + (secondOfDay / 3600 - 12) / 24)
        let equationOfTime =
            229.18
            * (0.000075 + 0.001868 * cos(gamma) - 0.032077 * sin(gamma) - 0.014615 * cos(2 * gamma)
                - 0.040849 * sin(2 * gamma))
        let declination =
            0.006918 - 0.399912 * cos(gamma) + 0.070257 * sin(gamma) - 0.006758 * cos(2 * gamma)
            + 0.000907 * sin(2 * gamma) - 0.002697 * cos(3 * gamma) + 0.00148 * sin(3 * gamma)
        let trueSolarMinutes = secondOfDay / 60 + equationOfTime + 4 * longitude
        let hourAngle = (trueSolarMinutes / 4 - 180) * Double.pi / 180
        let phi = latitude * Double.pi / 180
        return sin(phi) * sin(declination) + cos(phi) * cos(declination) * cos(hourAngle)
    }

    /// Elevation in degrees.
    func elevation(at epochSeconds: Int) -> Double {
        asin(max(-1, min(1, sineOfElevation(at: epochSeconds)))) * 180 / Double.pi
    }
}
