/// Joins the responses of consecutive range chunks into one `MeterData`.
enum MeterDataMerger {
    /// Series are matched by OBIS code, in order of first appearance; readings are sorted by start and a
    /// reading that appears twice (in two chunks, or repeated by the server) is kept once, the later one.
    static func merge(_ pieces: [MeterData], meteringPointId: String) -> MeterData {
        var merged: [MeterSeries] = []
        var indexByObis: [String: Int] = [:]
        for piece in pieces {
            for series in piece.series {
                if let index = indexByObis[series.obis] {
                    merged[index].readings += series.readings
                    merged[index].unit = merged[index].unit ?? series.unit
                    merged[index].resolution = merged[index].resolution ?? series.resolution
                } else {
                    indexByObis[series.obis] = merged.count
                    merged.append(series)
                }
            }
        }
        for index in merged.indices {
            var readings = merged[index].readings
            readings.sort { $0.start < $1.start }
            var unique: [MeterReading] = []
            unique.reserveCapacity(readings.count)
            for reading in readings {
                if let last = unique.last, last.start == reading.start {
                    unique[unique.count - 1] = reading
                } else {
                    unique.append(reading)
                }
            }
            merged[index].readings = unique
        }
        var warnings: [OpenEnergyDecodingWarning] = []
        for warning in pieces.flatMap(\.warnings) where !warnings.contains(where: { $0.pattern == warning.pattern }) {
            warnings.append(warning)
        }
        return MeterData(meteringPointId: meteringPointId, series: merged, warnings: warnings)
    }
}
