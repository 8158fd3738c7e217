/// MQTT topic rules (MQTT 3.1.1 §4.7 and 5.0 §4.7), checked in Swift so that a bad topic is
/// rejected with a precise reason before anything reaches libmosquitto or the broker.
enum TopicValidation {
    static let maximumUTF8Length = 65_535

    /// A topic name to publish to: non-empty, no wildcards, no U+0000, at most 65,535 bytes.
    static func validateTopicName(_ topic: String) throws(MQTTError) {
        try validateCommon(topic)
        for byte in topic.utf8 where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") {
            throw .invalidTopic(topic, problem: .containsWildcard)
        }
    }

    /// A topic filter to subscribe to: like a name, but `+` may fill a whole level and `#` may fill
    /// the last level.
    static func validateTopicFilter(_ filter: String) throws(MQTTError) {
        try validateCommon(filter)
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            let isLast = index == levels.count - 1
            for byte in level where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") {
                let aloneInLevel = level.count == 1
                let placementOK = byte == UInt8(ascii: "+") ? aloneInLevel : (aloneInLevel && isLast)
                if !placementOK { throw .invalidTopic(filter, problem: .misplacedWildcard) }
            }
        }
    }

    private static func validateCommon(_ topic: String) throws(MQTTError) {
        let length = topic.utf8.count
        if length == 0 { throw .invalidTopic(topic, problem: .empty) }
        if length > maximumUTF8Length { throw .invalidTopic(topic, problem: .tooLong(utf8Length: length)) }
        if topic.utf8.contains(0) { throw .invalidTopic(topic, problem: .containsNullCharacter) }
    }
}
