extension MQTTClient.Configuration {
    /// Rejects configurations libmosquitto would reject later, or that could never work, with a
    /// message naming the field.
    func validate() throws(MQTTError) {
        func invalid(_ detail: String) -> MQTTError { .invalidConfiguration(detail) }

        if host.isEmpty { throw invalid("host is empty") }
        if !(1...65_535).contains(port) { throw invalid("port \(port) is outside 1...65535") }
        if clientID.isEmpty && !cleanStart {
            throw invalid("a persistent session (cleanStart false) needs a non-empty clientID")
        }
        if clientID.utf8.count > TopicValidation.maximumUTF8Length { throw invalid("clientID is too long") }
        let keepAliveSeconds = keepAlive.components.seconds
        if !(5...65_535).contains(keepAliveSeconds) {
            throw invalid("keepAlive must be between 5 and 65535 seconds, not \(keepAlive)")
        }
        if sessionExpiry != nil && protocolVersion != .v5 {
            throw invalid("sessionExpiry needs MQTT 5 (protocolVersion .v5)")
        }
        if let sessionExpiry, sessionExpiry < .zero || sessionExpiry.components.seconds > Int64(UInt32.max) {
            throw invalid("sessionExpiry must be between 0 and \(UInt32.max) seconds")
        }
        if !(1...65_535).contains(maxInflightMessages) {
            throw invalid("maxInflightMessages must be between 1 and 65535")
        }
        // Message ids are 16 bits and shared with QoS 0 messages in flight; keep well below that.
        if !(1...50_000).contains(maxQueuedMessages) {
            throw invalid("maxQueuedMessages must be between 1 and 50000")
        }
        if reconnect.initialDelay <= .zero || reconnect.maximumDelay < reconnect.initialDelay
            || reconnect.maximumDelay > .seconds(86_400)
        {
            throw invalid("reconnect delays need 0 < initialDelay <= maximumDelay <= 1 day")
        }
        if let will {
            do {
                try TopicValidation.validateTopicName(will.topic)
            } catch {
                throw invalid("will: \(error)")
            }
        }
    }
}
