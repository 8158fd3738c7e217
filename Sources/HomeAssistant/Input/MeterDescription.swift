/// What the bridge knows about a metering point from core data: enough to describe its Home
/// Assistant device and decide which entities it gets.
public struct MeterDescription: Sendable, Hashable {
    /// The 33-character metering point id, e.g. `CH1008801234500000000000000012345`.
    public var meteringPointID: String
    /// The number printed on the physical meter; shown as the device's serial number.
    public var meterNumber: String?
    /// A human name for the device (e.g. the address); `nil` names it after the meter number.
    public var label: String?
    /// Whether the meter records energy drawn from the grid (consumption).
    public var measuresImport: Bool
    /// Whether the meter records energy fed into the grid (production, e.g. solar).
    public var measuresExport: Bool
    /// The tariff registers CKW delivers for import (`1-1:1.8.1` is tariff 1, high tariff; `1.8.2`
    /// tariff 2, low tariff); each gets its own total sensor.
    public var importTariffs: Set<Int> = []
    /// The same for export (`1-1:2.8.1`, `2.8.2`).
    public var exportTariffs: Set<Int> = []

    public init(
        meteringPointID: String,
        meterNumber: String?,
        label: String? = nil,
        measuresImport: Bool,
        measuresExport: Bool
    ) {
        self.meteringPointID = meteringPointID
        self.meterNumber = meterNumber
        self.label = label
        self.measuresImport = measuresImport
        self.measuresExport = measuresExport
    }

    /// Net power and production surplus compare both directions, so they exist only when both do.
    public var measuresBothDirections: Bool { measuresImport && measuresExport }
}
