import CMosquitto

/// `mosquitto_lib_init` must run exactly once per process before any handle is created; it is never
/// undone, because other clients may live until the process exits.
enum MosquittoLibrary {
    private static let initialized: Bool = {
        mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue
    }()

    static func initializeOnce() {
        precondition(initialized, "mosquitto_lib_init failed")
    }

    /// libmosquitto's text for one of its error codes.
    static func describe(_ code: Int32) -> String {
        String(cString: mosquitto_strerror(code))
    }

    /// The text of an MQTT 5 reason code.
    static func describeReason(_ code: Int32) -> String {
        String(cString: mosquitto_reason_string(code))
    }

    /// The text of an MQTT 3.1.1 CONNACK return code.
    static func describeConnack(_ code: Int32) -> String {
        String(cString: mosquitto_connack_string(code))
    }
}
