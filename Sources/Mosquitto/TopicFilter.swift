/// A validated subscription filter that matches concrete topic names, so incoming messages can be
/// routed to the subscriptions that asked for them.
struct TopicFilter: Sendable, Hashable {
    let text: String
    private let levels: [Substring]

    init(_ text: String) throws(MQTTError) {
        try TopicValidation.validateTopicFilter(text)
        self.text = text
        self.levels = text.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// MQTT matching rules, including that wildcards in the first level do not match topics
    /// starting with `$` (such as `$SYS/...`).
    func matches(_ topic: String) -> Bool {
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = levels.first, first == "+" || first == "#" {
            return false
        }
        for (index, level) in levels.enumerated() {
            if level == "#" { return true }  // also matches the parent level itself ("a/#" matches "a")
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
        }
        return levels.count == topicLevels.count
    }
}
