/// What core data says about a metering point's device. Its directions are not here: the ledger
/// holds them, as core data announced them and as the data showed them.
struct CoreDataMeter: Sendable, Equatable {
    var meterNumber: String?
    var label: String?
    var importTariffs: Set<Int>
    var exportTariffs: Set<Int>
}
