import Foundation

/// A simulated household's metering point; every property derives from the seed and its index.
public struct SimulatedMeteringPoint: Sendable, Hashable {
    public let index: Int
    public let id: String
    public let customerIndex: Int
    public let meterNumber: String
    public let hasSolar: Bool
    public let street: String
    public let zip: String
    public let city: String
    /// Household consumption over a year, before self-consumption of solar power.
    public let annualConsumptionKWh: Double
    /// Peak power of the solar panels (0 without).
    public let solarPeakKW: Double
    /// First local day (days since 1970-01-01) with data; the registers start here.
    public let installationDay: Int
    /// Register readings at installation, in Wh.
    public let consumptionRegisterStart: Int64
    public let productionRegisterStart: Int64
}

/// A simulated CKW customer.
public struct SimulatedCustomer: Sendable, Hashable {
    public let index: Int
    public let customerNumber: String
    public let name: String
}

/// Customers and metering points of the simulation, computed on demand from (seed, index) so that
/// 100,000 of them cost no memory.
public struct MeteringPointCatalog: Sendable {
    public let seed: UInt64
    public let population: SimulatorConfiguration.Population

    public init(seed: UInt64, population: SimulatorConfiguration.Population) {
        self.seed = seed
        self.population = population
    }

    /// Ids are 33 characters like CKW's: a fixed prefix and a 20-digit number; index 0 is
    /// `CH1008801234500000000000000012345`.
    private static let idPrefix = "CH10088012345"
    private static let firstIdNumber = 12345

    public var count: Int { population.meteringPoints }

    public func meteringPoint(at index: Int) -> SimulatedMeteringPoint {
        precondition(index >= 0 && index < count, "metering point index out of range")
        let key = UInt64(index)
        func unit(_ salt: UInt64) -> Double {
            SplitMix64.unit(seed, RandomStream.household.rawValue, key, salt)
        }
        let number = String(Self.firstIdNumber + index)
        let id = Self.idPrefix + String(repeating: "0", count: 20 - number.count) + number
        let hasSolar = index == 0 || unit(1) < population.solarShare
        let town = Self.towns[Int(unit(2) * Double(Self.towns.count))]
        let street = Self.streets[Int(unit(3) * Double(Self.streets.count))]
        // Installed between 2016 and 2020 (smart meter rollout), on a day derived from the seed.
        let installationDay = CivilDate(year: 2016, month: 1, day: 1).dayNumber + Int(unit(4) * 4 * 365)
        return SimulatedMeteringPoint(
            index: index,
            id: id,
            customerIndex: index / population.meteringPointsPerCustomer,
            meterNumber: String(71_234_567 + index),
            hasSolar: hasSolar,
            street: "\(street) \(1 + Int(unit(5) * 60))",
            zip: town.zip,
            city: town.city,
            annualConsumptionKWh: 2500 + (unit(6) * 4000).rounded(),
            solarPeakKW: hasSolar ? 4 + (unit(7) * 100).rounded() / 10 : 0,
            installationDay: installationDay,
            consumptionRegisterStart: Int64(unit(8) * 30_000_000),
            productionRegisterStart: hasSolar ? Int64(unit(9) * 5_000_000) : 0
        )
    }

    /// The metering point with this id, or `nil` when there is none.
    public func meteringPoint(id: some StringProtocol) -> SimulatedMeteringPoint? {
        guard id.count == 33, id.hasPrefix(Self.idPrefix), let number = Int(id.dropFirst(Self.idPrefix.count)) else {
            return nil
        }
        let index = number - Self.firstIdNumber
        guard index >= 0, index < count else { return nil }
        let point = meteringPoint(at: index)
        return point.id == id ? point : nil
    }

    public func customer(at index: Int) -> SimulatedCustomer {
        precondition(index >= 0 && index < population.customers, "customer index out of range")
        let name: String
        if index == 0 {
            name = "Anna Muster"
        } else {
            let first = Self.firstNames[Int(SplitMix64.unit(seed, 11, UInt64(index)) * Double(Self.firstNames.count))]
            let last = Self.lastNames[Int(SplitMix64.unit(seed, 12, UInt64(index)) * Double(Self.lastNames.count))]
            name = "\(first) \(last)"
        }
        return SimulatedCustomer(index: index, customerNumber: String(1_234_567 + index), name: name)
    }

    public func meteringPointIndices(ofCustomer customerIndex: Int) -> Range<Int> {
        let perCustomer = population.meteringPointsPerCustomer
        return (customerIndex * perCustomer)..<((customerIndex + 1) * perCustomer)
    }

    private static let towns: [(city: String, zip: String)] = [
        ("Luzern", "6004"), ("Kriens", "6010"), ("Emmenbrücke", "6020"), ("Horw", "6048"), ("Ebikon", "6030"),
        ("Sursee", "6210"), ("Hochdorf", "6280"), ("Willisau", "6130"), ("Altdorf", "6460"), ("Sarnen", "6060"),
    ]
    private static let streets = [
        "Seestrasse", "Bahnhofstrasse", "Dorfstrasse", "Hauptstrasse", "Kirchweg", "Schulhausstrasse",
        "Bergstrasse", "Ringstrasse", "Feldweg", "Sonnenweg", "Pilatusstrasse", "Rigistrasse",
    ]
    private static let firstNames = [
        "Anna", "Beat", "Claudia", "Daniel", "Erika", "Fabian", "Gabriela", "Hans", "Irene", "Jonas",
        "Karin", "Lukas", "Monika", "Nicole", "Peter", "Ruth", "Stefan", "Ursula", "Walter", "Yvonne",
    ]
    private static let lastNames = [
        "Muster", "Meier", "Müller", "Schmid", "Keller", "Weber", "Huber", "Steiner", "Fischer", "Brunner",
        "Baumann", "Gerber", "Frei", "Wyss", "Zimmermann", "Bucher", "Arnold", "Felder", "Studer", "Kaufmann",
    ]
}
