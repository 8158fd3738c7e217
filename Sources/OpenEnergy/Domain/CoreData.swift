import EnergyDomain

/// What the API says about the customer and the metering points the login may read.
public struct CoreData: Sendable, Equatable {
    /// Absent for the Backend API, whose core data can span several customers.
    public var customer: Customer?
    public var meteringPoints: [MeteringPoint]
    /// What was accepted but not as sent (see `OpenEnergyDecodingWarning`).
    public var warnings: [OpenEnergyDecodingWarning]

    public init(customer: Customer?, meteringPoints: [MeteringPoint], warnings: [OpenEnergyDecodingWarning] = []) {
        self.customer = customer
        self.meteringPoints = meteringPoints
        self.warnings = warnings
    }
}

public struct Customer: Sendable, Equatable {
    public var customerNumber: String?
    public var name: String?

    public init(customerNumber: String?, name: String?) {
        self.customerNumber = customerNumber
        self.name = name
    }
}

/// A metering point (Messpunkt): where energy is measured, identified by a 33-character id.
public struct MeteringPoint: Sendable, Equatable, Identifiable {
    public var id: String
    public var meterNumber: String?
    public var address: Address?
    /// The series the meter records; empty when the API did not say.
    public var series: [SeriesDescription]

    public init(id: String, meterNumber: String?, address: Address?, series: [SeriesDescription]) {
        self.id = id
        self.meterNumber = meterNumber
        self.address = address
        self.series = series
    }
}

public struct Address: Sendable, Equatable {
    public var street: String?
    public var zip: String?
    public var city: String?

    public init(street: String?, zip: String?, city: String?) {
        self.street = street
        self.zip = zip
        self.city = city
    }
}

/// One series a metering point offers, e.g. consumption per 15 minutes.
public struct SeriesDescription: Sendable, Equatable {
    /// OBIS code, e.g. `1-1:1.29.0`.
    public var obis: String
    public var direction: EnergyDirection?
    public var kind: SeriesKind?
    public var unit: String?
    /// Seconds per value (900 for 15-minute intervals, 86,400 for daily readings), when known.
    public var resolution: SeriesResolution?

    public init(obis: String, direction: EnergyDirection?, kind: SeriesKind?, unit: String?, resolution: SeriesResolution?) {
        self.obis = obis
        self.direction = direction
        self.kind = kind
        self.unit = unit
        self.resolution = resolution
    }
}
