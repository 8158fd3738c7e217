import CMosquitto

/// The C callbacks. They capture nothing (C function pointers cannot) and recover the client from
/// the user-data pointer. They run only on the client's connection thread, inside
/// `mosquitto_loop_read`/`_write`/`_misc` or `mosquitto_reconnect`, and that thread holds a strong
/// reference to the client for as long as it runs; so the unretained pointer is always valid here.
enum Callbacks {
    static func install(on handle: OpaquePointer, forwardingLogs: Bool) {
        mosquitto_connect_v5_callback_set(handle) { _, userData, code, flags, _ in
            mosquittoClient(userData).handleConnack(code: code, flags: flags)
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, userData, code, _ in
            mosquittoClient(userData).handleDisconnect(code: code)
        }
        mosquitto_publish_v5_callback_set(handle) { _, userData, messageID, reasonCode, _ in
            mosquittoClient(userData).handlePublishCompleted(messageID: messageID, reasonCode: reasonCode)
        }
        mosquitto_message_v5_callback_set(handle) { _, userData, message, _ in
            guard let message else { return }
            mosquittoClient(userData).handleMessage(message.pointee)
        }
        mosquitto_subscribe_v5_callback_set(handle) { _, userData, messageID, count, granted, _ in
            // One filter per SUBSCRIBE packet, so one granted QoS.
            let code = count > 0 ? Int(granted?[0] ?? 0x80) : 0x80
            mosquittoClient(userData).handleSubscribeAcknowledged(messageID: messageID, grantedCode: code)
        }
        if forwardingLogs {
            mosquitto_log_callback_set(handle) { _, userData, level, text in
                guard let text else { return }
                mosquittoClient(userData).handleLibraryLog(level: level, text: text)
            }
        }
    }

}

/// A free function, because a C function pointer cannot capture even a metatype.
private func mosquittoClient(_ userData: UnsafeMutableRawPointer?) -> MQTTClient {
    Unmanaged<MQTTClient>.fromOpaque(userData!).takeUnretainedValue()
}
