import Foundation
import OpenEnergy

/// Shapes a real CKW API may send that differ from the assumed contract, to show in the demo that the
/// bridge reads them: timestamps with Zurich's local offset, values in Wh, tariff registers, numbers
/// written as strings. All off by default.
public struct WireVariations: Sendable, Equatable {
    public enum TariffRegisters: String, Sendable, Equatable, CaseIterable {
        /// Only the total registers (`1-1:1.8.0`, `1-1:2.8.0`).
        case none
        /// The totals and, beside them, tariff 1 and 2 (`x.8.1`, `x.8.2`: 60 % and 40 % of the total).
        case besideTotal = "beside-total"
        /// Tariff 1 and 2 instead of the totals.
        case instead
    }

    /// `2026-11-27T00:00:00+01:00` instead of `2026-11-26T23:00:00Z`.
    public var localOffsets = false
    /// Values in Wh instead of kWh.
    public var wattHours = false
    public var tariffRegisters = TariffRegisters.none
    /// `"value":"0.123"` instead of `"value":0.123`.
    public var numbersAsStrings = false

    public init(localOffsets: Bool = false, wattHours: Bool = false, tariffRegisters: TariffRegisters = .none, numbersAsStrings: Bool = false) {
        self.localOffsets = localOffsets
        self.wattHours = wattHours
        self.tariffRegisters = tariffRegisters
        self.numbersAsStrings = numbersAsStrings
    }

    var isNone: Bool { self == WireVariations() }

    func apply(to data: OpenEnergyWire.MeterData) -> OpenEnergyWire.MeterData {
        guard !isNone else { return data }
        var series: [OpenEnergyWire.MeterSeries] = []
        for original in data.series {
            var current = original
            if wattHours {
                current.unit = "Wh"
                current.values = current.values.map { value in
                    var value = value
                    value.value = value.value.map { ($0 * 1_000 * 1_000).rounded() / 1_000 }
                    return value
                }
            }
            if localOffsets {
                current.values = current.values.map { value in
                    var value = value
                    value.start = Self.local(value.start)
                    value.end = Self.local(value.end)
                    return value
                }
            }
            if tariffRegisters != .none, current.obis.hasSuffix(".8.0") {
                let prefix = String(current.obis.dropLast())
                var high = current
                high.obis = prefix + "1"
                var low = current
                low.obis = prefix + "2"
                for index in current.values.indices {
                    guard let total = current.values[index].value else { continue }
                    let first = (total * 0.6 * 1_000).rounded() / 1_000
                    high.values[index].value = first
                    low.values[index].value = ((total - first) * 1_000).rounded() / 1_000
                }
                if tariffRegisters == .besideTotal { series.append(current) }
                series += [high, low]
                continue
            }
            series.append(current)
        }
        return OpenEnergyWire.MeterData(meteringPointId: data.meteringPointId, series: series)
    }

    /// A UTC wire timestamp rewritten with Zurich's offset at that instant.
    static func local(_ text: String) -> String {
        guard let seconds = UTCTimestamp.parse(text) else { return text }
        let offset = LocalTime.zurich.utcOffset(at: seconds)
        let shifted = UTCTimestamp.format(seconds + offset)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3_600
        let minutes = abs(offset) % 3_600 / 60
        return shifted.dropLast() + sign + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// Puts every number after `"value":` in quotes.
    func quotingValues(_ bytes: Data) -> Data {
        guard numbersAsStrings else { return bytes }
        let key = Array(#""value":"#.utf8)
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 20)
        var index = 0
        while index < input.count {
            if input[index] == key[0], index + key.count <= input.count, Array(input[index..<(index + key.count)]) == key {
                output += key
                index += key.count
                let start = index
                while index < input.count, input[index] == UInt8(ascii: "-") || input[index] == UInt8(ascii: ".")
                    || input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") || input[index] == UInt8(ascii: "+")
                    || (input[index] >= UInt8(ascii: "0") && input[index] <= UInt8(ascii: "9")) {
                    index += 1
                }
                if index > start {
                    output.append(UInt8(ascii: "\""))
                    output += input[start..<index]
                    output.append(UInt8(ascii: "\""))
                }
                continue
            }
            output.append(input[index])
            index += 1
        }
        return Data(output)
    }
}
