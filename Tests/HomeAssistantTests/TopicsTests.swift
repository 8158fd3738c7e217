import HomeAssistant
import Testing

@Suite struct TopicsTests {
    @Test func defaultTopics() {
        let topics = Topics.default
        #expect(topics.bridgeState == "ckw2mqtt/bridge/state")
        #expect(topics.bridgeInfo == "ckw2mqtt/bridge/info")
        #expect(topics.refreshRequest == "ckw2mqtt/bridge/request/refresh")
        #expect(topics.bridgeDiscovery == "homeassistant/device/ckw2mqtt_bridge/config")
        #expect(topics.homeAssistantStatus == "homeassistant/status")
        #expect(topics.meterState(Fixtures.solarHouseID) == "ckw2mqtt/\(Fixtures.solarHouseID)/state")
        #expect(topics.meterAvailability(Fixtures.solarHouseID) == "ckw2mqtt/\(Fixtures.solarHouseID)/availability")
        #expect(topics.meterDiscovery(Fixtures.solarHouseID) == "homeassistant/device/ckw2mqtt_\(Fixtures.solarHouseID)/config")
    }

    @Test func theValidatingInitializerGivesTheDefaultsToo() throws {
        #expect(try Topics() == Topics.default)
    }

    @Test func configuredRoots() throws {
        let topics = try Topics(baseTopic: "home/energy", discoveryPrefix: "ha")
        #expect(topics.bridgeState == "home/energy/bridge/state")
        #expect(topics.meterState("CH1") == "home/energy/CH1/state")
        #expect(topics.meterDiscovery("CH1") == "ha/device/ckw2mqtt_CH1/config")
        #expect(topics.homeAssistantStatus == "ha/status")
        // A second bridge needs its own base topic, and gets its own bridge device from it.
        #expect(topics.bridgeDiscovery == "ha/device/ckw2mqtt_bridge_home_energy/config")
    }

    @Test func anExplicitStatusTopicWins() throws {
        let topics = try Topics(homeAssistantStatus: "hass/status")
        #expect(topics.homeAssistantStatus == "hass/status")
    }

    @Test(arguments: ["", "ckw/+", "ckw/#", "/ckw", "ckw/", "a//b", "ckw\u{0}"])
    func invalidBaseTopicsAreRejected(baseTopic: String) {
        #expect(throws: TopicError.self) { try Topics(baseTopic: baseTopic) }
    }

    @Test func theErrorNamesTheSettingAndTheReason() {
        #expect(throws: TopicError(topic: "ha/#", role: "discovery prefix", reason: "must not contain the wildcards + or #")) {
            try Topics(discoveryPrefix: "ha/#")
        }
        let error = TopicError(topic: "", role: "base topic", reason: "must not be empty")
        #expect(error.description == "The base topic '' must not be empty.")
    }

    @Test func idsThatWouldBreakTopicsAreSanitized() {
        let topics = Topics.default
        #expect(topics.meterState("CH/1+2#3 ä") == "ckw2mqtt/CH_1_2_3__/state")
        #expect(topics.meterDiscovery("CH-1_a") == "homeassistant/device/ckw2mqtt_CH-1_a/config")
    }

    @Test func homeAssistantBirthIsRecognised() {
        let mapping = Fixtures.mapping
        #expect(mapping.isHomeAssistantBirth(topic: "homeassistant/status", payload: Array("online".utf8)))
        #expect(!mapping.isHomeAssistantBirth(topic: "homeassistant/status", payload: Array("offline".utf8)))
        #expect(!mapping.isHomeAssistantBirth(topic: "ckw2mqtt/bridge/state", payload: Array("online".utf8)))
    }
}
