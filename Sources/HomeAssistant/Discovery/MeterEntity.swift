import EnergyDomain

/// The entities of a metering point's device. The raw value is the key everywhere: the component
/// key in the discovery config, the `unique_id` suffix, and the field of `<base>/<id>/state`.
public enum MeterEntity: String, Sendable, Hashable, CaseIterable {
    case energyImportTotal = "energy_import_total"
    case energyExportTotal = "energy_export_total"
    /// Tariff registers (`1-1:1.8.1`, `1.8.2`, `2.8.1`, `2.8.2`): parts of the totals, HT and NT.
    case energyImportTariff1Total = "energy_import_tariff1_total"
    case energyImportTariff2Total = "energy_import_tariff2_total"
    case energyExportTariff1Total = "energy_export_tariff1_total"
    case energyExportTariff2Total = "energy_export_tariff2_total"
    case energyImportInterval = "energy_import_interval"
    case energyExportInterval = "energy_export_interval"
    case powerImport = "power_import"
    case powerExport = "power_export"
    case powerNet = "power_net"
    case productionSurplus = "production_surplus"
    case intervalEnd = "interval_end"
    case quality

    /// The entities `meter` gets: none for a direction it does not measure, and net power and
    /// production surplus only when it measures both (with one direction they would just repeat, or
    /// misstate, the other).
    public static func entities(of meter: MeterDescription) -> [MeterEntity] {
        allCases.filter { $0.exists(for: meter) }
    }

    func exists(for meter: MeterDescription) -> Bool {
        switch self {
        case .energyImportTariff1Total: meter.importTariffs.contains(1)
        case .energyImportTariff2Total: meter.importTariffs.contains(2)
        case .energyExportTariff1Total: meter.exportTariffs.contains(1)
        case .energyExportTariff2Total: meter.exportTariffs.contains(2)
        case .energyImportTotal, .energyImportInterval, .powerImport: meter.measuresImport
        case .energyExportTotal, .energyExportInterval, .powerExport: meter.measuresExport
        case .powerNet, .productionSurplus: meter.measuresBothDirections
        case .intervalEnd, .quality: meter.measuresImport || meter.measuresExport
        }
    }

    var platform: Platform { self == .productionSurplus ? .binarySensor : .sensor }

    var component: Component {
        switch self {
        case .energyImportTotal: Self.lifetimeTotal(key: rawValue, name: "Energy imported")
        case .energyExportTotal: Self.lifetimeTotal(key: rawValue, name: "Energy exported")
        case .energyImportTariff1Total: Self.lifetimeTotal(key: rawValue, name: "Energy imported tariff 1 (high)")
        case .energyImportTariff2Total: Self.lifetimeTotal(key: rawValue, name: "Energy imported tariff 2 (low)")
        case .energyExportTariff1Total: Self.lifetimeTotal(key: rawValue, name: "Energy exported tariff 1 (high)")
        case .energyExportTariff2Total: Self.lifetimeTotal(key: rawValue, name: "Energy exported tariff 2 (low)")
        case .energyImportInterval: Self.intervalEnergy(key: rawValue, name: "Energy imported last interval")
        case .energyExportInterval: Self.intervalEnergy(key: rawValue, name: "Energy exported last interval")
        case .powerImport: Self.averagePower(key: rawValue, name: "Average power imported")
        case .powerExport: Self.averagePower(key: rawValue, name: "Average power exported")
        case .powerNet: Self.averagePower(key: rawValue, name: "Net power")
        case .productionSurplus:
            // The state field is a JSON boolean (natural for scripts); the template renders it as
            // Python does, True/False, and null as None, which Home Assistant shows as unknown.
            Component(key: rawValue, platform: .binarySensor, name: "Production surplus", options: [
                "icon": .string("mdi:solar-power"),
                "payload_on": .string("True"),
                "payload_off": .string("False"),
                "value_template": Component.template(rawValue),
            ])
        case .intervalEnd:
            Component(key: rawValue, platform: .sensor, name: "Last interval end", options: [
                "device_class": .string("timestamp"),
                "value_template": Component.template(rawValue),
            ])
        case .quality:
            Component(key: rawValue, platform: .sensor, name: "Last interval quality", options: [
                "device_class": .string("enum"),
                "entity_category": .string("diagnostic"),
                "icon": .string("mdi:check-decagram-outline"),
                "options": .array(ValueQuality.allCases.map { .string($0.rawValue) }),
                "value_template": Component.template(rawValue),
            ])
        }
    }

    /// What the Energy dashboard takes: a lifetime register, `total` without `last_reset` (a drop
    /// after a correction is then a correction, not a new meter cycle as with `total_increasing`).
    /// No `expire_after`: utility data arrives hours late, and an expired total breaks statistics.
    private static func lifetimeTotal(key: String, name: String) -> Component {
        Component(key: key, platform: .sensor, name: name, options: [
            "device_class": .string("energy"),
            "state_class": .string("total"),
            "unit_of_measurement": .string("kWh"),
            "suggested_display_precision": .integer(1),
            "value_template": Component.template(key),
        ])
    }

    /// Deliberately without `state_class`: the bridge publishes only the newest interval of each late
    /// batch, so long-term statistics summed from it would miss most intervals. The lifetime totals
    /// are the sensors for statistics and the Energy dashboard.
    private static func intervalEnergy(key: String, name: String) -> Component {
        Component(key: key, platform: .sensor, name: name, options: [
            "device_class": .string("energy"),
            "unit_of_measurement": .string("kWh"),
            "suggested_display_precision": .integer(3),
            "value_template": Component.template(key),
        ])
    }

    private static func averagePower(key: String, name: String) -> Component {
        Component(key: key, platform: .sensor, name: name, options: [
            "device_class": .string("power"),
            "state_class": .string("measurement"),
            "unit_of_measurement": .string("W"),
            "suggested_display_precision": .integer(0),
            "value_template": Component.template(key),
        ])
    }
}
