import CMosquitto

/// Creates a libmosquitto handle and applies everything in the configuration that libmosquitto needs
/// before connecting.
enum HandleFactory {
    static func makeHandle(for configuration: MQTTClient.Configuration) throws(MQTTError) -> OpaquePointer {
        let clientID: String? = configuration.clientID.isEmpty ? nil : configuration.clientID
        guard let handle = mosquitto_new(clientID, configuration.cleanStart, nil) else {
            throw .library(operation: "mosquitto_new", code: Int(MOSQ_ERR_NOMEM.rawValue), reason: "out of memory")
        }
        do {
            try apply(configuration, to: handle)
            return handle
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
    }

    private static func apply(_ configuration: MQTTClient.Configuration, to handle: OpaquePointer) throws(MQTTError) {
        // Our own threads call into the handle while the connection thread runs the loop.
        try check(mosquitto_threaded_set(handle, true), "mosquitto_threaded_set")

        let version = configuration.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "protocol version")
        try check(
            mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, Int32(configuration.maxInflightMessages)),
            "maxInflightMessages")
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, configuration.tcpNoDelay ? 1 : 0), "tcpNoDelay")

        if let credentials = configuration.credentials {
            try check(mosquitto_username_pw_set(handle, credentials.username, credentials.password), "credentials")
        }
        if let will = configuration.will {
            let rc = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set(
                    handle, will.topic, Int32(bytes.count), bytes.baseAddress, Int32(will.qos.rawValue), will.retain)
            }
            try check(rc, "will")
        }
        if let tls = configuration.tls {
            try applyTLS(tls, to: handle)
        }
    }

    private static func applyTLS(_ tls: MQTTClient.TLS, to handle: OpaquePointer) throws(MQTTError) {
        let (caFile, caDirectory): (String?, String?) =
            switch tls.trustRoots {
            case .caFile(let path): (path, nil)
            case .caDirectory(let path): (nil, path)
            // MOSQ_OPT_TLS_USE_OS_CERTS breaks reconnects in 2.0.11; the directory works everywhere.
            case .system: (nil, "/etc/ssl/certs")
            }
        let certificate = tls.clientCertificate
        let rc = mosquitto_tls_set(
            handle, caFile, caDirectory, certificate?.certificateFile, certificate?.privateKeyFile, nil)
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            throw .invalidConfiguration(
                "TLS files not usable (CA \(caFile ?? caDirectory ?? "-"), client certificate "
                    + "\(certificate?.certificateFile ?? "-")): \(MosquittoLibrary.describe(rc))")
        }
        // SSL_VERIFY_PEER (1): the chain is verified unless verification was switched off explicitly.
        let verifyPeer: Int32 = tls.certificateVerification == .none ? 0 : 1
        try check(mosquitto_tls_opts_set(handle, verifyPeer, nil, nil), "TLS options")
        let skipHostname = tls.certificateVerification != .fullVerification
        try check(mosquitto_tls_insecure_set(handle, skipHostname), "TLS host-name verification")
    }

    private static func check(_ rc: Int32, _ what: String) throws(MQTTError) {
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            throw .invalidConfiguration("\(what) rejected by libmosquitto: \(MosquittoLibrary.describe(rc))")
        }
    }
}
