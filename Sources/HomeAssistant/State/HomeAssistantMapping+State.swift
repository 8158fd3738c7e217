import EnergyDomain

extension HomeAssistantMapping {
    /// `<base>/<id>/state`: exactly the fields of the meter's entities (see `MeterEntity`) plus
    /// `interval_start`, so scripts see the interval the values belong to. A value that is not known
    /// is `null` rather than absent, which Home Assistant shows as "unknown".
    func meterStateJSON(_ readout: MeterReadout, of meter: MeterDescription) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for entity in MeterEntity.entities(of: meter) {
            fields[entity.rawValue] = Self.value(of: entity, in: readout)
        }
        if !fields.isEmpty { fields["interval_start"] = .timestamp(readout.intervalStart) }
        return .object(fields)
    }

    private static func value(of entity: MeterEntity, in readout: MeterReadout) -> JSONValue {
        switch entity {
        case .energyImportTotal: .decimal(readout.importTotal)
        case .energyExportTotal: .decimal(readout.exportTotal)
        case .energyImportTariff1Total: .decimal(readout.importTariffTotals[1])
        case .energyImportTariff2Total: .decimal(readout.importTariffTotals[2])
        case .energyExportTariff1Total: .decimal(readout.exportTariffTotals[1])
        case .energyExportTariff2Total: .decimal(readout.exportTariffTotals[2])
        case .energyImportInterval: .decimal(readout.importEnergy)
        case .energyExportInterval: .decimal(readout.exportEnergy)
        case .powerImport: .wholeNumber(readout.importPower)
        case .powerExport: .wholeNumber(readout.exportPower)
        case .powerNet: .wholeNumber(readout.netPower)
        case .productionSurplus: .flag(readout.productionSurplus)
        case .intervalEnd: .timestamp(readout.intervalEnd)
        case .quality: .text(readout.quality?.rawValue)
        }
    }

    /// `<base>/bridge/info`. Every key is always present (`null` when unknown) so templates and
    /// scripts never meet a missing key.
    func bridgeInfoJSON(_ snapshot: BridgeSnapshot) -> JSONValue {
        .object([
            BridgeEntity.version.rawValue: .string(snapshot.version),
            "auth": .string(snapshot.authentication.rawValue),
            BridgeEntity.lastSuccessfulFetch.rawValue: .timestamp(snapshot.lastSuccessfulFetch),
            BridgeEntity.nextPlannedFetch.rawValue: .timestamp(snapshot.nextPlannedFetch),
            "rate_limit": .object([
                "limit": .wholeNumber(snapshot.rateLimit.limit),
                "remaining": .wholeNumber(snapshot.rateLimit.remaining),
                "reset": .timestamp(snapshot.rateLimit.resetAt),
                "used_today": .wholeNumber(snapshot.rateLimit.usedToday),
                "left_today": .wholeNumber(snapshot.rateLimit.leftToday),
                "paused_until": .timestamp(snapshot.rateLimit.pausedUntil),
            ]),
            "last_error": .text(snapshot.lastError),
            "last_undecodable_response": .text(snapshot.lastUndecodableResponse),
            "metering_points": .array(snapshot.meteringPointIDs.map(JSONValue.string)),
        ])
    }
}
