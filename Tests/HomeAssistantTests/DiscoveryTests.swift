import Foundation
import HomeAssistant
import Mosquitto
import Testing

/// What the discovery configs contain, independent of their exact bytes.
@Suite struct DiscoveryTests {
    let mapping = Fixtures.mapping

    private func components(of message: OutgoingMessage) throws -> [String: [String: Any]] {
        let config = try StatePayload(message)
        return try #require(config["components"] as? [String: [String: Any]])
    }

    @Test func aMeterWithoutExportGetsNoExportNetOrSurplusEntities() throws {
        let keys = Set(try components(of: mapping.meterDiscovery(for: Fixtures.flat)).keys)
        #expect(keys == [
            "energy_import_total", "energy_import_interval", "power_import", "interval_end", "quality",
        ])
    }

    @Test func anExportOnlyMeterGetsOnlyExportEntities() throws {
        let productionMeter = MeterDescription(
            meteringPointID: "CH1008801234500000000000000011111", meterNumber: "7",
            measuresImport: false, measuresExport: true
        )
        let keys = Set(try components(of: mapping.meterDiscovery(for: productionMeter)).keys)
        #expect(keys == [
            "energy_export_total", "energy_export_interval", "power_export", "interval_end", "quality",
        ])
    }

    @Test func everyStateFieldHasItsEntityAndEveryEntityItsField() throws {
        for (meter, snapshot) in [(Fixtures.solarHouse, Fixtures.solarHouseSnapshot), (Fixtures.flat, Fixtures.flatSnapshot)] {
            let entityKeys = Set(try components(of: mapping.meterDiscovery(for: meter)).keys)
            let stateKeys = try StatePayload(mapping.meterState(snapshot, of: meter)).keys
            #expect(stateKeys == entityKeys.union(["interval_start"]))
        }
    }

    @Test func uniqueIDsFollowThePatternAndAreDistinct() throws {
        let components = try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse))
        for (key, component) in components {
            #expect(component["unique_id"] as? String == "ckw2mqtt_\(Fixtures.solarHouseID)_\(key)")
        }
        let bridge = try self.components(of: mapping.bridgeDiscovery())
        let all = (components.values.map { $0["unique_id"] as? String } + bridge.values.map { $0["unique_id"] as? String })
        #expect(Set(all).count == all.count)
    }

    @Test func uniqueIDsDoNotDependOnNamesLabelsOrMeterNumbers() throws {
        var renamed = Fixtures.solarHouse
        renamed.label = "Somewhere else"
        renamed.meterNumber = "99999999"  // a replaced meter on the same metering point
        let before = try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse)).mapValues { $0["unique_id"] as? String }
        let after = try components(of: mapping.meterDiscovery(for: renamed)).mapValues { $0["unique_id"] as? String }
        #expect(before == after)
    }

    @Test func entityIDHintsAgreeForOldAndNewHomeAssistant() throws {
        let all = try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse)).merging(
            try components(of: mapping.bridgeDiscovery()), uniquingKeysWith: { first, _ in first }
        )
        for component in all.values {
            let platform = try #require(component["platform"] as? String)
            let objectID = try #require(component["object_id"] as? String)
            #expect(component["default_entity_id"] as? String == "\(platform).\(objectID)")
            #expect(objectID.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
        }
    }

    @Test func readableEntityIDsUseTheMeterNumber() throws {
        let components = try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse))
        #expect(components["energy_import_total"]?["default_entity_id"] as? String == "sensor.ckw_71234567_energy_import_total")
        #expect(components["production_surplus"]?["default_entity_id"] as? String == "binary_sensor.ckw_71234567_production_surplus")
    }

    @Test func withoutAMeterNumberTheDeviceIsNamedAfterTheMeteringPoint() throws {
        let anonymous = MeterDescription(
            meteringPointID: Fixtures.solarHouseID, meterNumber: nil, measuresImport: true, measuresExport: false
        )
        let config = try StatePayload(mapping.meterDiscovery(for: anonymous))
        let device = try #require(config["device"] as? [String: Any])
        #expect(device["name"] as? String == "CKW meter 00012345")
        #expect(device["serial_number"] == nil)
        let components = try #require(config["components"] as? [String: [String: Any]])
        #expect(components["power_import"]?["object_id"] as? String == "ckw_ch1008801234500000000000000012345_power_import")
    }

    @Test func lifetimeTotalsSuitTheEnergyDashboardAndNeverExpire() throws {
        let components = try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse))
        for key in ["energy_import_total", "energy_export_total"] {
            let total = try #require(components[key])
            #expect(total["device_class"] as? String == "energy")
            #expect(total["state_class"] as? String == "total")
            #expect(total["unit_of_measurement"] as? String == "kWh")
            #expect(total["expire_after"] == nil)
            #expect(total["last_reset_value_template"] == nil)
        }
    }

    @Test func meterEntitiesNeedTheBridgeAndTheMeterOnline() throws {
        let config = try StatePayload(mapping.meterDiscovery(for: Fixtures.solarHouse))
        #expect(config.string("availability_mode") == "all")
        let topics = try #require(config["availability"] as? [[String: Any]]).compactMap { $0["topic"] as? String }
        #expect(topics == ["ckw2mqtt/bridge/state", "ckw2mqtt/\(Fixtures.solarHouseID)/availability"])
        // No component overrides the device-level availability.
        for component in try components(of: mapping.meterDiscovery(for: Fixtures.solarHouse)).values {
            #expect(component["availability"] == nil)
            #expect(component["availability_topic"] == nil)
        }
    }

    @Test func bridgeEntitiesDependOnTheBridgeOnly() throws {
        let components = try components(of: mapping.bridgeDiscovery())
        for (key, component) in components where key != "connection_state" {
            let availability = try #require(component["availability"] as? [[String: Any]], "\(key)")
            #expect(availability.compactMap { $0["topic"] as? String } == ["ckw2mqtt/bridge/state"], "\(key)")
        }
        // The connection state is the bridge topic itself: off, not unavailable, when the bridge dies.
        let connection = try #require(components["connection_state"])
        #expect(connection["availability"] == nil)
        #expect(connection["state_topic"] as? String == "ckw2mqtt/bridge/state")
        let config = try StatePayload(mapping.bridgeDiscovery())
        #expect(config["availability"] == nil)
    }

    @Test func meterDevicesHangBelowTheBridgeDevice() throws {
        let bridge = try StatePayload(mapping.bridgeDiscovery())
        let bridgeIdentifiers = try #require((bridge["device"] as? [String: Any])?["identifiers"] as? [String])
        let meter = try StatePayload(mapping.meterDiscovery(for: Fixtures.solarHouse))
        let viaDevice = try #require((meter["device"] as? [String: Any])?["via_device"] as? String)
        #expect(bridgeIdentifiers == [viaDevice])
    }

    @Test func theRefreshButtonPublishesToTheRefreshTopic() throws {
        let button = try #require(try components(of: mapping.bridgeDiscovery())["refresh"])
        #expect(button["platform"] as? String == "button")
        #expect(button["command_topic"] as? String == mapping.topics.refreshRequest)
        #expect(mapping.isRefreshRequest(topic: "ckw2mqtt/bridge/request/refresh"))
        #expect(!mapping.isRefreshRequest(topic: "ckw2mqtt/bridge/request/other"))
    }

    @Test func removingADirectionRemovesExactlyItsEntities() throws {
        var importOnly = Fixtures.solarHouse
        importOnly.measuresExport = false
        let components = try components(of: mapping.meterDiscovery(for: importOnly, replacing: Fixtures.solarHouse))
        let removed = components.filter { $0.value.count == 1 }
        #expect(Set(removed.keys) == ["energy_export_total", "energy_export_interval", "power_export", "power_net", "production_surplus"])
        #expect(removed["production_surplus"]?["platform"] as? String == "binary_sensor")
        #expect(removed["power_export"]?["platform"] as? String == "sensor")
    }

    @Test func republishingAnUnchangedMeterRemovesNothing() throws {
        let again = mapping.meterDiscovery(for: Fixtures.solarHouse, replacing: Fixtures.solarHouse)
        #expect(again == mapping.meterDiscovery(for: Fixtures.solarHouse))
    }

    @Test func discoveryMessagesPublishTheBridgeFirst() {
        let messages = mapping.discoveryMessages(for: [Fixtures.solarHouse, Fixtures.flat])
        #expect(messages.map(\.topic) == [
            "homeassistant/device/ckw2mqtt_bridge/config",
            "homeassistant/device/ckw2mqtt_\(Fixtures.solarHouseID)/config",
            "homeassistant/device/ckw2mqtt_\(Fixtures.flatID)/config",
        ])
        #expect(messages.allSatisfy { $0.retain && $0.qos == .atLeastOnce })
    }

    @Test func theConfiguredQoSAppliesToEveryMessage() {
        let mapping = HomeAssistantMapping(configuration: .init(origin: Fixtures.origin, qos: .exactlyOnce))
        let messages = mapping.discoveryMessages(for: [Fixtures.flat])
            + [mapping.meterState(Fixtures.flatSnapshot, of: Fixtures.flat), mapping.bridgeInfo(Fixtures.bridgeSnapshot)]
            + mapping.meterRemoval(meteringPointID: Fixtures.flatID)
        #expect(messages.allSatisfy { $0.qos == .exactlyOnce })
    }

    @Test func originWithoutSupportURLLeavesTheKeyOut() throws {
        let mapping = HomeAssistantMapping(configuration: .init(origin: Origin(softwareVersion: "0.1.0")))
        let origin = try #require(try StatePayload(mapping.bridgeDiscovery())["origin"] as? [String: Any])
        #expect(origin as NSDictionary == ["name": "ckw2mqtt", "sw_version": "0.1.0"] as NSDictionary)
    }
}
