import EnergyDomain
import Foundation
import OpenEnergy

/// Answers the API's data questions in wire types: core data for a customer or for everybody, and the
/// meter data CKW has delivered for a range at a simulated instant.
struct MeterDataService: Sendable {
    let catalog: MeteringPointCatalog
    let generator: MeterDataGenerator
    let delivery: DeliveryModel
    let localTime: LocalTime = .zurich

    init(seed: UInt64, population: SimulatorConfiguration.Population, delivery: DeliverySchedule) {
        self.catalog = MeteringPointCatalog(seed: seed, population: population)
        self.generator = MeterDataGenerator(seed: seed)
        self.delivery = DeliveryModel(schedule: delivery, seed: seed)
    }

    // MARK: Core data

    func coreData(customerIndex: Int) -> OpenEnergyWire.CoreData {
        let customer = catalog.customer(at: customerIndex)
        return OpenEnergyWire.CoreData(
            customer: OpenEnergyWire.Customer(customerNumber: customer.customerNumber, name: customer.name),
            meteringPoints: catalog.meteringPointIndices(ofCustomer: customerIndex).map { wireMeteringPoint(catalog.meteringPoint(at: $0)) }
        )
    }

    /// Every metering point of every customer, as the Backend API shows them.
    func coreDataOfAllCustomers() -> OpenEnergyWire.CoreData {
        OpenEnergyWire.CoreData(
            customer: nil,
            meteringPoints: (0..<catalog.count).map { wireMeteringPoint(catalog.meteringPoint(at: $0)) }
        )
    }

    private func wireMeteringPoint(_ point: SimulatedMeteringPoint) -> OpenEnergyWire.MeteringPoint {
        OpenEnergyWire.MeteringPoint(
            meteringPointId: point.id,
            meterNumber: point.meterNumber,
            address: OpenEnergyWire.Address(street: point.street, zip: point.zip, city: point.city),
            series: SimulatedSeries.all(hasSolar: point.hasSolar).map(\.description)
        )
    }

    // MARK: Meter data

    /// The series of a metering point (all, or only `obis`) for [from, to) as delivered by `now`
    /// (epoch seconds). Intervals must lie wholly inside the range; register readings are those at local
    /// midnights within [from, to].
    func meterData(point: SimulatedMeteringPoint, from: Int, to: Int, obis: String?, now: Int) -> OpenEnergyWire.MeterData {
        let cutoffs = delivery.cutoffs(now: now)
        let kinds = SimulatedSeries.all(hasSolar: point.hasSolar).filter { obis == nil || $0.obis == obis }
        let series = kinds.map { kind in
            OpenEnergyWire.MeterSeries(
                obis: kind.obis,
                unit: "kWh",
                resolution: kind.resolution,
                values: kind.isRegister
                    ? registerValues(kind.direction, point, from: from, to: to, cutoffs: cutoffs)
                    : intervalValues(kind.direction, point, from: from, to: to, cutoffs: cutoffs)
            )
        }
        return OpenEnergyWire.MeterData(meteringPointId: point.id, series: series)
    }

    func hasSeries(_ obis: String, point: SimulatedMeteringPoint) -> Bool {
        SimulatedSeries.all(hasSolar: point.hasSolar).contains { $0.obis == obis }
    }

    private func intervalValues(
        _ direction: EnergyDirection, _ point: SimulatedMeteringPoint, from: Int, to: Int, cutoffs: DeliveryModel.Cutoffs
    ) -> [OpenEnergyWire.MeterValue] {
        let end = min(to, cutoffs.deliveredUpTo)
        guard from < end else { return [] }
        var values = [OpenEnergyWire.MeterValue]()
        values.reserveCapacity((end - from) / 900 + 1)
        for day in localTime.localDay(containing: from)...localTime.localDay(containing: end - 1) {
            for interval in generator.intervals(direction, of: point, localDay: day)
            where interval.start >= from && interval.end <= end {
                values.append(wireValue(interval, direction, point, cutoffs))
            }
        }
        return values
    }

    private func wireValue(
        _ interval: GeneratedInterval, _ direction: EnergyDirection, _ point: SimulatedMeteringPoint, _ cutoffs: DeliveryModel.Cutoffs
    ) -> OpenEnergyWire.MeterValue {
        var wattHours: Int64? = interval.wattHours
        var quality = OpenEnergyWire.Quality.measured
        if interval.end > cutoffs.finalUpTo,
            let provisional = delivery.provisional(pointIndex: point.index, interval: interval, direction: direction)
        {
            switch provisional {
            case .estimated(let estimate):
                wattHours = estimate
                quality = OpenEnergyWire.Quality.estimated
            case .missing:
                wattHours = nil
                quality = OpenEnergyWire.Quality.missing
            }
        }
        return OpenEnergyWire.MeterValue(
            start: UTCTimestamp.format(interval.start),
            end: UTCTimestamp.format(interval.end),
            value: wattHours.map(Self.kilowattHours),
            quality: quality
        )
    }

    private func registerValues(
        _ direction: EnergyDirection, _ point: SimulatedMeteringPoint, from: Int, to: Int, cutoffs: DeliveryModel.Cutoffs
    ) -> [OpenEnergyWire.MeterValue] {
        let last = min(to, cutoffs.deliveredUpTo)
        guard from <= last else { return [] }
        var values = [OpenEnergyWire.MeterValue]()
        // The first local midnight at or after `from` ...
        var day = localTime.localDay(containing: from)
        if localTime.midnight(localDay: day) < from { day += 1 }
        // ... through the last one at or before `last`.
        while localTime.midnight(localDay: day) <= last {
            if let reading = generator.registerReading(direction, of: point, atStartOfLocalDay: day) {
                values.append(
                    OpenEnergyWire.MeterValue(
                        start: UTCTimestamp.format(localTime.midnight(localDay: day - 1)),
                        end: UTCTimestamp.format(localTime.midnight(localDay: day)),
                        value: Self.kilowattHours(reading),
                        quality: OpenEnergyWire.Quality.measured
                    )
                )
            }
            day += 1
        }
        return values
    }

    /// Wh to kWh with three decimals; the division by 1000 of an integer gives the shortest decimal
    /// representation in JSON (`0.123`, not `0.12300000000000001`).
    static func kilowattHours(_ wattHours: Int64) -> Double {
        Double(wattHours) / 1000
    }
}
