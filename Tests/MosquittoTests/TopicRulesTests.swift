import Testing

@testable import Mosquitto

@Suite("Topic names and filters")
struct TopicRulesTests {
    @Test(arguments: [
        ("", MQTTError.TopicProblem.empty),
        ("a/+/b", .containsWildcard),
        ("a/#", .containsWildcard),
        ("+", .containsWildcard),
        ("a\u{0}b", .containsNullCharacter),
        (String(repeating: "x", count: 65_536), .tooLong(utf8Length: 65_536)),
    ])
    func invalidTopicNamesAreRejected(topic: String, problem: MQTTError.TopicProblem) {
        #expect(throws: MQTTError.invalidTopic(topic, problem: problem)) {
            try TopicValidation.validateTopicName(topic)
        }
    }

    @Test(arguments: ["a", "a/b/c", "/", "a//b", "$SYS-like/x", "ümlaut/温度", String(repeating: "x", count: 65_535)])
    func validTopicNamesAreAccepted(topic: String) throws {
        try TopicValidation.validateTopicName(topic)
    }

    @Test(arguments: ["a/#/b", "a#", "a/b#", "a+/b", "+a", "##"])
    func misplacedWildcardsInFiltersAreRejected(filter: String) {
        #expect(throws: MQTTError.invalidTopic(filter, problem: .misplacedWildcard)) {
            try TopicValidation.validateTopicFilter(filter)
        }
    }

    @Test(arguments: [
        ("a/b", "a/b", true), ("a/b", "a/c", false),
        ("a/+", "a/b", true), ("a/+", "a/b/c", false), ("a/+", "a", false), ("a/+/c", "a/b/c", true),
        ("a/#", "a", true), ("a/#", "a/b/c", true), ("#", "x/y", true), ("+/+", "/x", true),
        ("#", "$SYS/broker", false), ("+/broker", "$SYS/broker", false), ("$SYS/#", "$SYS/broker", true),
    ])
    func filtersMatchTopicsLikeTheBroker(filter: String, topic: String, matches: Bool) throws {
        #expect(try TopicFilter(filter).matches(topic) == matches)
    }
}
