import Foundation
import OpenEnergy

/// Checks that involve more than one key, run after all layers and secrets are resolved.
enum ConfigurationValidation {
    static func validate(_ builder: inout ConfigurationBuilder, ckwRequirement: ConfigurationLoader.CKWRequirement) {
        validateMQTT(&builder)
        validateTLS(&builder)
        validateCKW(&builder, ckwRequirement: ckwRequirement)
        validateStatistics(&builder)
        validateHTTPAuth(&builder)
    }

    /// Basic auth needs both halves; either alone would lock out or let in by surprise.
    private static func validateHTTPAuth(_ builder: inout ConfigurationBuilder) {
        let auth = builder.configuration.http.auth
        if auth.password != nil, auth.username == nil {
            let key = builder.assignments["http.auth.password_file"] != nil ? "http.auth.password_file" : "http.auth.password"
            builder.report(key, builder.assignments[key]?.source,
                           "needs `http.auth.username` as well: the browser asks for a user name and a password")
        }
        if auth.username != nil, auth.password == nil {
            builder.report("http.auth.username", builder.assignments["http.auth.username"]?.source,
                           "needs `http.auth.password_file` (or `http.auth.password`) as well")
        }
    }

    private static func validateStatistics(_ builder: inout ConfigurationBuilder) {
        let statistics = builder.configuration.homeAssistant.statistics
        guard statistics.enabled, !builder.fileUnusable else { return }
        if statistics.url == nil {
            builder.report("homeassistant.statistics.url", nil,
                           "is required when statistics are enabled: where Home Assistant is, e.g. http://homeassistant.local:8123")
        }
        if statistics.token == nil {
            builder.report("homeassistant.statistics.token_file", nil,
                           "is required when statistics are enabled (or `homeassistant.statistics.token`): a long-lived access token of an administrator")
        }
    }

    private static func validateMQTT(_ builder: inout ConfigurationBuilder) {
        let mqtt = builder.configuration.mqtt
        if mqtt.password != nil, mqtt.username == nil {
            let key = builder.assignments["mqtt.password_file"] != nil ? "mqtt.password_file" : "mqtt.password"
            builder.report(key, builder.assignments[key]?.source,
                           "needs `mqtt.username` as well: libmosquitto sends no password without a user name")
        }
    }

    private static func validateTLS(_ builder: inout ConfigurationBuilder) {
        let tls = builder.configuration.mqtt.tls
        let files: [(key: String, path: String?)] = [
            ("mqtt.tls.ca_file", tls.caFile), ("mqtt.tls.cert_file", tls.certFile), ("mqtt.tls.key_file", tls.keyFile),
        ]
        guard tls.enabled else {
            // Likely a user who believes TLS is on: say so instead of silently connecting in plain text.
            let setKeys = files.filter { $0.path != nil }.map(\.key)
                + (tls.caPath != nil ? ["mqtt.tls.ca_path"] : [])
                + (tls.insecureSkipVerifyHostname ? ["mqtt.tls.insecure_skip_verify_hostname"] : [])
                + (tls.insecureSkipVerify ? ["mqtt.tls.insecure_skip_verify"] : [])
            for key in setKeys {
                builder.report(key, builder.assignments[key]?.source,
                               "is set but `mqtt.tls.enabled` is false; enable TLS or remove the key")
            }
            return
        }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            let missing = tls.certFile == nil ? "mqtt.tls.cert_file" : "mqtt.tls.key_file"
            let given = tls.certFile == nil ? "mqtt.tls.key_file" : "mqtt.tls.cert_file"
            builder.report(given, builder.assignments[given]?.source,
                           "a client certificate needs both files; `\(missing)` is missing")
        }
        // Checked now so that check-config finds them; the broker connection is not attempted.
        for (key, path) in files {
            guard let path else { continue }
            if !FileManager.default.isReadableFile(atPath: path) {
                let reason = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
                builder.report(key, builder.assignments[key]?.source, "the file `\(path)` \(reason)")
            }
        }
        if let caPath = tls.caPath {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: caPath, isDirectory: &isDirectory) || !isDirectory.boolValue {
                builder.report("mqtt.tls.ca_path", builder.assignments["mqtt.tls.ca_path"]?.source,
                               "the directory `\(caPath)` does not exist")
            }
        }
    }

    private static func validateCKW(_ builder: inout ConfigurationBuilder, ckwRequirement: ConfigurationLoader.CKWRequirement) {
        let ckw = builder.configuration.ckw
        if ckwRequirement == .required, !builder.fileUnusable {
            if ckw.apiBaseURL == nil {
                builder.report("ckw.api_base_url", nil, "is required: the base URL of CKW's OpenEnergy API (https)")
            }
            if ckw.clientID == nil, ckw.mode != .backend || ckw.mode.needsUserLogin(ckw.userIdentification) {
                builder.report("ckw.client_id", nil, "is required: the client id CKW issued for this application")
            }
            if ckw.mode == .clientCredentials, ckw.clientSecret == nil {
                builder.report("ckw.client_secret", nil,
                               "is required in client_credentials mode (or `ckw.client_secret_file`): the secret of the Keycloak client")
            }
            if ckw.mode == .backend, ckw.appClientID == nil {
                builder.report("ckw.app_client_id", nil,
                               "is required in backend mode: the app credentials CKW generated for the Backend API "
                               + "(for Keycloak's client credentials grant with ckw.client_id and ckw.client_secret, use `ckw.mode: client_credentials`)")
            }
        }
        if ckw.mode == .backend, ckw.userIdentification != .bearer {
            let what = ckw.userIdentification == .header ? "header" : "query parameter"
            if ckw.userIdentificationName == nil {
                builder.report("ckw.user_identification_name", nil,
                               "is required with `ckw.user_identification: \(ckw.userIdentification.rawValue)`: the name of the \(what) that names the user")
            }
            if ckw.userID == nil {
                builder.report("ckw.user_id", nil,
                               "is required with `ckw.user_identification: \(ckw.userIdentification.rawValue)`: the user's id the \(what) carries")
            }
        }
        if ckw.mode != .backend {
            let defaults = CKWSettings()
            let backendOnly: [(String, Bool)] = [
                ("ckw.app_client_id", ckw.appClientID != nil),
                ("ckw.app_client_secret", ckw.appClientSecret != nil && ckw.appClientSecretFile == nil),
                ("ckw.app_client_secret_file", ckw.appClientSecretFile != nil),
                ("ckw.app_credential_headers", ckw.appCredentialHeaders != defaults.appCredentialHeaders),
                ("ckw.user_identification", ckw.userIdentification != defaults.userIdentification),
                ("ckw.user_identification_name", ckw.userIdentificationName != nil),
                ("ckw.user_id", ckw.userID != nil),
            ]
            for (key, isSet) in backendOnly where isSet && ckw.mode == .client {
                builder.report(key, builder.assignments[key]?.source, "only applies to `ckw.mode: backend`; the Client API takes the user's token alone")
            }
            for (key, isSet) in backendOnly where isSet && ckw.mode == .clientCredentials && key != "ckw.app_credential_headers" {
                builder.report(key, builder.assignments[key]?.source,
                               "only applies to `ckw.mode: backend`; client_credentials mode uses ckw.client_id and ckw.client_secret")
            }
        }
        if ckw.mode != .clientCredentials, ckw.sendCredentialHeaders {
            builder.report("ckw.send_credential_headers", builder.assignments["ckw.send_credential_headers"]?.source,
                           "only applies to `ckw.mode: client_credentials` (backend mode always sends its app credentials)")
        }
        let contract = ckw.contract
        if contract.timeFormat == .dateOnly, contract.maximumRange < 86_400 {
            builder.report("ckw.api.longest_range", builder.assignments["ckw.api.longest_range"]?.source,
                           "must be at least 1d with `ckw.api.time_format: date_only`: a request asks for whole days")
        }
        let parameters = [("ckw.api.from_parameter", contract.fromParameter), ("ckw.api.to_parameter", contract.toParameter),
                          ("ckw.api.obis_parameter", contract.obisParameter)]
        for (index, (key, name)) in parameters.enumerated() {
            if let other = parameters[..<index].first(where: { $0.1 == name }) {
                builder.report(key, builder.assignments[key]?.source, "names the same query parameter `\(name)` as `\(other.0)`")
            }
        }
        if let ids = ckw.meteringPoints {
            var seen = Set<String>()
            for id in ids where !seen.insert(id).inserted {
                builder.report("ckw.metering_points", builder.assignments["ckw.metering_points"]?.source,
                               "lists `\(id)` more than once")
            }
        }
    }
}
