import Foundation

/// The OpenEnergy wire contract in one place.
///
/// CKW's endpoint specification is not public; this is the contract ckw2mqtt assumes (documented in
/// `docs/openenergy-api.md`). Paths, query names, JSON shapes and header names live here only, so that
/// adapting to the official specification touches this file. Both the client (decoding) and the
/// simulator (encoding) use these types; they are `package`, not part of the public API.
package enum OpenEnergyWire {
    /// Major API version, part of every path.
    package static let apiVersion = "v1"

    package static let coreDataPath = "\(apiVersion)/coredata"

    package static func meterDataPath(meteringPointId: String) -> String {
        "\(apiVersion)/meterdata/\(meteringPointId)"
    }

    /// Query parameter names of the meter data endpoint.
    package enum MeterDataQuery {
        package static let from = "from"
        package static let to = "to"
        package static let obis = "obis"
    }

    /// The longest range one meter data request may ask for; longer ranges answer 400.
    package static let maximumMeterDataRange: TimeInterval = 31 * 24 * 3600

    /// Header names for the Backend API, where CKW's gateway wants the app credentials on each request.
    package enum BackendHeaders {
        package static let clientID = "client_id"
        package static let clientSecret = "client_secret"
    }

    /// MuleSoft-style rate-limit headers (matched case-insensitively).
    package enum RateLimitHeaders {
        package static let limit = "x-ratelimit-limit"
        package static let remaining = "x-ratelimit-remaining"
        package static let reset = "x-ratelimit-reset"
    }

    // MARK: Core data

    /// `GET /v1/coredata`. Unknown fields are ignored; everything not needed to identify a metering point is optional.
    package struct CoreData: Codable, Sendable, Equatable {
        package var customer: Customer?
        package var meteringPoints: [MeteringPoint]

        package init(customer: Customer?, meteringPoints: [MeteringPoint]) {
            self.customer = customer
            self.meteringPoints = meteringPoints
        }
    }

    package struct Customer: Codable, Sendable, Equatable {
        package var customerNumber: String?
        package var name: String?

        package init(customerNumber: String?, name: String?) {
            self.customerNumber = customerNumber
            self.name = name
        }
    }

    package struct MeteringPoint: Codable, Sendable, Equatable {
        package var meteringPointId: String
        package var meterNumber: String?
        package var address: Address?
        package var series: [SeriesDescription]?

        package init(meteringPointId: String, meterNumber: String?, address: Address?, series: [SeriesDescription]?) {
            self.meteringPointId = meteringPointId
            self.meterNumber = meterNumber
            self.address = address
            self.series = series
        }
    }

    package struct Address: Codable, Sendable, Equatable {
        package var street: String?
        package var zip: String?
        package var city: String?

        package init(street: String?, zip: String?, city: String?) {
            self.street = street
            self.zip = zip
            self.city = city
        }
    }

    package struct SeriesDescription: Codable, Sendable, Equatable {
        /// OBIS code, e.g. `1-1:1.29.0` (consumption per interval) or `1-1:2.8.0` (feed-in register).
        package var obis: String
        /// `consumption` or `production`.
        package var direction: String?
        package var unit: String?
        /// ISO 8601 duration: `PT15M` for intervals, `P1D` for daily register readings.
        package var resolution: String?

        package init(obis: String, direction: String?, unit: String?, resolution: String?) {
            self.obis = obis
            self.direction = direction
            self.unit = unit
            self.resolution = resolution
        }
    }

    // MARK: Meter data

    /// `GET /v1/meterdata/{meteringPointId}?from=&to=[&obis=]`.
    package struct MeterData: Codable, Sendable, Equatable {
        package var meteringPointId: String
        package var series: [MeterSeries]

        package init(meteringPointId: String, series: [MeterSeries]) {
            self.meteringPointId = meteringPointId
            self.series = series
        }
    }

    package struct MeterSeries: Codable, Sendable, Equatable {
        package var obis: String
        package var unit: String?
        package var resolution: String?
        package var values: [MeterValue]

        package init(obis: String, unit: String?, resolution: String?, values: [MeterValue]) {
            self.obis = obis
            self.unit = unit
            self.resolution = resolution
            self.values = values
        }
    }

    /// One interval (energy in the interval) or one register reading (cumulative reading at `end`).
    /// Timestamps are ISO 8601 UTC strings, e.g. `2026-11-26T23:00:00Z`.
    package struct MeterValue: Codable, Sendable, Equatable {
        package var start: String
        package var end: String
        /// `null` when `quality` is `missing`.
        package var value: Double?
        /// `measured`, `estimated` or `missing`.
        package var quality: String?

        package init(start: String, end: String, value: Double?, quality: String?) {
            self.start = start
            self.end = end
            self.value = value
            self.quality = quality
        }
    }

    package enum Quality {
        package static let measured = "measured"
        package static let estimated = "estimated"
        package static let missing = "missing"
    }

    package enum Direction {
        package static let consumption = "consumption"
        package static let production = "production"
    }

    /// OBIS codes of the series a household meter has.
    package enum Obis {
        /// Energy imported from the grid per interval.
        package static let consumptionInterval = "1-1:1.29.0"
        /// Energy exported to the grid per interval.
        package static let productionInterval = "1-1:2.29.0"
        /// Cumulative import register.
        package static let consumptionRegister = "1-1:1.8.0"
        /// Cumulative export register.
        package static let productionRegister = "1-1:2.8.0"
    }

    // MARK: Errors

    /// Body of every error response: `{ "error": "<code>", "message": "<text>" }`.
    package struct ErrorBody: Codable, Sendable, Equatable {
        package var error: String
        package var message: String?

        package init(error: String, message: String?) {
            self.error = error
            self.message = message
        }
    }
}
