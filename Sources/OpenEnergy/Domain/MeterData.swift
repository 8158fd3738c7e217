import EnergyDomain
import Foundation

/// Whether a series holds energy per interval or cumulative register readings.
public enum SeriesKind: String, Sendable, Equatable, CaseIterable {
    /// Each value is the energy of its interval `[start, end)`.
    case interval
    /// Each value is the meter's cumulative reading at `end`.
    case register
}

/// The spacing of a series' values as given by the API (an ISO 8601 duration such as `PT15M` or `P1D`).
public enum SeriesResolution: Sendable, Equatable {
    /// A fixed number of seconds (`PT15M` = 900).
    case seconds(Int)
    /// Calendar days (`P1D`): local days, 23 or 25 hours long on DST days.
    case days(Int)
}

/// One value of a series: energy in `[start, end)` for interval series, the reading at `end` for registers.
public struct MeterReading: Sendable, Equatable {
    public var start: Date
    public var end: Date
    /// In the series' unit (kWh for household meters); `nil` exactly when `quality` is `.missing`.
    public var value: Double?
    public var quality: ValueQuality

    public init(start: Date, end: Date, value: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.value = value
        self.quality = value == nil ? .missing : quality
    }
}

public struct MeterSeries: Sendable, Equatable {
    public var obis: String
    public var direction: EnergyDirection?
    public var kind: SeriesKind?
    public var unit: String?
    public var resolution: SeriesResolution?
    /// Sorted by `start`, without duplicates.
    public var readings: [MeterReading]

    public init(
        obis: String,
        direction: EnergyDirection?,
        kind: SeriesKind?,
        unit: String?,
        resolution: SeriesResolution?,
        readings: [MeterReading]
    ) {
        self.obis = obis
        self.direction = direction
        self.kind = kind
        self.unit = unit
        self.resolution = resolution
        self.readings = readings
    }
}

/// Meter data of one metering point for a time range.
public struct MeterData: Sendable, Equatable {
    public var meteringPointId: String
    public var series: [MeterSeries]
    /// What was accepted but not as sent (see `OpenEnergyDecodingWarning`); empty for a body as the
    /// contract describes it.
    public var warnings: [OpenEnergyDecodingWarning]

    public init(meteringPointId: String, series: [MeterSeries], warnings: [OpenEnergyDecodingWarning] = []) {
        self.meteringPointId = meteringPointId
        self.series = series
        self.warnings = warnings
    }

    public func series(obis: String) -> MeterSeries? {
        series.first { $0.obis == obis }
    }
}
