import Foundation
import Logging
import Mosquitto
import OpenEnergy

/// Every configuration key, in the order of the YAML file and of the effective-configuration
/// printout. Nested sections (`mqtt.tls`) come last within their parent so the printout nests.
enum ConfigurationSchema {
    static let environmentPrefix = "CKW2MQTT_"

    static let keys: [ConfigurationKey] = mqtt + homeAssistant + ckw + bridge + logging + http

    static let keysByPath: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })

    static let keysByEnvironmentVariable: [String: ConfigurationKey] =
        Dictionary(uniqueKeysWithValues: keys.map { ($0.environmentVariable, $0) })

    /// `mqtt`, `mqtt.tls`, `homeassistant`, ...: the paths that hold mappings.
    static let sections: Set<String> = Set(keys.flatMap { key in
        let parts = key.path.split(separator: ".").dropLast()
        return parts.indices.map { parts[...$0].joined(separator: ".") }
    })

    // MARK: mqtt

    private static let mqtt: [ConfigurationKey] = [
        .string("mqtt.host", \.mqtt.host),
        .integer("mqtt.port", \.mqtt.port, in: 1...65_535),
        .string("mqtt.client_id", \.mqtt.clientID),
        .optionalString("mqtt.username", \.mqtt.username),
        .secret("mqtt.password", \.mqtt.password, readFrom: \.mqtt.passwordFile),
        .optionalString("mqtt.password_file", \.mqtt.passwordFile),
        // libmosquitto refuses keepalives under 5 s; the protocol field is 16 bits.
        .duration("mqtt.keepalive", \.mqtt.keepalive, in: .seconds(5) ... .seconds(65_535)),
        ConfigurationKey("mqtt.protocol", apply: { config, raw throws(ValueProblem) in
            config.mqtt.protocolVersion = try ConfigurationValueParsing.choice(
                raw, [("5", .v5), ("5.0", .v5), ("3.1.1", .v311), ("311", .v311)])
        }, render: { YAMLRendering.string($0.mqtt.protocolVersion.rawValue) }),
        .string("mqtt.base_topic", \.mqtt.baseTopic, parse: ConfigurationValueParsing.topic),
        ConfigurationKey("mqtt.qos", apply: { config, raw throws(ValueProblem) in
            config.mqtt.qos = try ConfigurationValueParsing.choice(raw, MQTTQoS.allCases.map { (String($0.rawValue), $0) })
        }, render: { String($0.mqtt.qos.rawValue) }),
        .integer("mqtt.offline_queue_limit", \.mqtt.offlineQueueLimit, in: 0...1_000_000),
        .bool("mqtt.tls.enabled", \.mqtt.tls.enabled),
        .optionalString("mqtt.tls.ca_file", \.mqtt.tls.caFile),
        .optionalString("mqtt.tls.ca_path", \.mqtt.tls.caPath),
        .optionalString("mqtt.tls.cert_file", \.mqtt.tls.certFile),
        .optionalString("mqtt.tls.key_file", \.mqtt.tls.keyFile),
        .bool("mqtt.tls.insecure_skip_verify_hostname", \.mqtt.tls.insecureSkipVerifyHostname),
        .bool("mqtt.tls.insecure_skip_verify", \.mqtt.tls.insecureSkipVerify),
    ]

    // MARK: homeassistant

    private static let homeAssistant: [ConfigurationKey] = [
        .bool("homeassistant.discovery", \.homeAssistant.discovery),
        .string("homeassistant.discovery_prefix", \.homeAssistant.discoveryPrefix, parse: ConfigurationValueParsing.topic),
        .string("homeassistant.status_topic", \.homeAssistant.statusTopic, parse: ConfigurationValueParsing.topic),
        ConfigurationKey("homeassistant.surplus_threshold_watts", apply: { config, raw throws(ValueProblem) in
            config.homeAssistant.surplusThresholdWatts = try ConfigurationValueParsing.number(raw, atLeast: 0)
        }, render: { ConfigurationValueParsing.format($0.homeAssistant.surplusThresholdWatts) }),
        .bool("homeassistant.statistics.enabled", \.homeAssistant.statistics.enabled),
        // Home Assistant on the local network usually speaks plain http.
        ConfigurationKey("homeassistant.statistics.url", apply: { config, raw throws(ValueProblem) in
            config.homeAssistant.statistics.url = try ConfigurationValueParsing.url(raw, httpsRequired: false)
        }, render: { $0.homeAssistant.statistics.url.map { YAMLRendering.string($0.absoluteString) } }),
        .secret("homeassistant.statistics.token", \.homeAssistant.statistics.token, readFrom: \.homeAssistant.statistics.tokenFile),
        .optionalString("homeassistant.statistics.token_file", \.homeAssistant.statistics.tokenFile),
        .duration("homeassistant.statistics.backfill", \.homeAssistant.statistics.backfill, in: .zero ... .seconds(10 * 366 * 86_400)),
    ]

    // MARK: ckw

    private static let ckw: [ConfigurationKey] = [
        .choice("ckw.mode", \.ckw.mode),
        ConfigurationKey("ckw.issuer", apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            switch text.lowercased() {
            case "production": config.ckw.issuer = .production
            case "test": config.ckw.issuer = .test
            default:
                guard text.contains("://") else {
                    throw ValueProblem("expected `production`, `test` or an https URL, got `\(text)`")
                }
                config.ckw.issuer = .custom(try ConfigurationValueParsing.url(raw, httpsRequired: true))
            }
        }, render: { config in
            switch config.ckw.issuer {
            case .production: YAMLRendering.string("production")
            case .test: YAMLRendering.string("test")
            case .custom(let url): YAMLRendering.string(url.absoluteString)
            }
        }),
        ConfigurationKey("ckw.api_base_url", apply: { config, raw throws(ValueProblem) in
            config.ckw.apiBaseURL = try ConfigurationValueParsing.url(raw, httpsRequired: true)
        }, render: { $0.ckw.apiBaseURL.map { YAMLRendering.string($0.absoluteString) } }),
        .optionalString("ckw.client_id", \.ckw.clientID),
        .secret("ckw.client_secret", \.ckw.clientSecret, readFrom: \.ckw.clientSecretFile),
        .optionalString("ckw.client_secret_file", \.ckw.clientSecretFile),
        .url("ckw.redirect_uri", \.ckw.redirectURI, httpsRequired: true),
        ConfigurationKey("ckw.scopes", apply: { config, raw throws(ValueProblem) in
            let scopes = ConfigurationValueParsing.list(raw)
            guard !scopes.isEmpty else { throw ValueProblem("must name at least one scope, e.g. `openid offline_access`") }
            config.ckw.scopes = scopes
        }, render: { YAMLRendering.list($0.ckw.scopes) }),
        .bool("ckw.send_credential_headers", \.ckw.sendCredentialHeaders),
        .optionalString("ckw.app_client_id", \.ckw.appClientID),
        .secret("ckw.app_client_secret", \.ckw.appClientSecret, readFrom: \.ckw.appClientSecretFile),
        .optionalString("ckw.app_client_secret_file", \.ckw.appClientSecretFile),
        ConfigurationKey("ckw.app_credential_headers", apply: { config, raw throws(ValueProblem) in
            let names = ConfigurationValueParsing.list(raw)
            guard names.count == 2, names.allSatisfy(ConfigurationValueParsing.isHeaderName) else {
                throw ValueProblem("expected two header names, the client id's and the secret's, e.g. `[client_id, client_secret]`")
            }
            config.ckw.appCredentialHeaders = names
        }, render: { YAMLRendering.list($0.ckw.appCredentialHeaders) }),
        .choice("ckw.user_identification", \.ckw.userIdentification),
        .optionalString("ckw.user_identification_name", \.ckw.userIdentificationName),
        .optionalString("ckw.user_id", \.ckw.userID),
        ConfigurationKey("ckw.metering_points", apply: { config, raw throws(ValueProblem) in
            let ids = ConfigurationValueParsing.list(raw)
            let invalid = ids.filter { !ConfigurationValueParsing.isMeteringPointID($0) }
            guard invalid.isEmpty else {
                let list = invalid.map { "`\($0)`" }.joined(separator: ", ")
                throw ValueProblem("metering point ids are `CH` followed by 31 letters or digits (33 characters), got \(list)")
            }
            // An empty list would silently bridge nothing; leave the key out to bridge everything.
            guard !ids.isEmpty else { throw ValueProblem("must list at least one metering point id, or be left out to bridge all") }
            config.ckw.meteringPoints = ids
        }, render: { $0.ckw.meteringPoints.map(YAMLRendering.list) }),
        .duration("ckw.request_timeout", \.ckw.requestTimeout, in: .seconds(1) ... .seconds(300)),
        ConfigurationKey("ckw.timezone", apply: { config, raw throws(ValueProblem) in
            let name = try ConfigurationValueParsing.nonEmptyString(raw)
            guard let zone = TimeZone(identifier: name) else {
                throw ValueProblem("expected a time zone name of the tz database such as `Europe/Zurich`, got `\(name)`")
            }
            config.ckw.timeZone = zone
            // One zone for CKW's local times: in bodies without a zone, and in local or date-only ranges.
            config.ckw.contract.timeZone = zone
        }, render: { YAMLRendering.string($0.ckw.timeZone.identifier) }),
        ConfigurationKey("ckw.max_interval_kwh_without_unit", apply: { config, raw throws(ValueProblem) in
            let limit = try ConfigurationValueParsing.number(raw, atLeast: 0)
            guard limit > 0 else { throw ValueProblem("must be more than 0 kWh, got `0`") }
            config.ckw.maximumIntervalKilowattHoursWithoutUnit = limit
        }, render: { ConfigurationValueParsing.format($0.ckw.maximumIntervalKilowattHoursWithoutUnit) }),
        .optionalString("ckw.tls.ca_file", \.ckw.tls.caFile),
        .bool("ckw.tls.insecure_skip_verify", \.ckw.tls.insecureSkipVerify),
    ] + ckwAPI

    /// `ckw.api.*`: the adaptable parts of the API contract (docs/openenergy-api.md).
    private static let ckwAPI: [ConfigurationKey] = [
        ConfigurationKey("ckw.api.version", apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ValueProblem("expected one path segment such as `v1` or `v2` (letters, digits, `-`, `_`, `.`), got `\(text)`")
            }
            config.ckw.contract.apiVersion = text
        }, render: { YAMLRendering.string($0.ckw.contract.apiVersion) }),
        ConfigurationKey("ckw.api.core_data_path", apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            if let problem = OpenEnergyContract.problems(ofPath: text, requiresMeteringPoint: false).first {
                throw ValueProblem("\(problem); got `\(text)`")
            }
            config.ckw.contract.coreDataPath = text
        }, render: { YAMLRendering.string($0.ckw.contract.coreDataPath) }),
        ConfigurationKey("ckw.api.meter_data_path", apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            if let problem = OpenEnergyContract.problems(ofPath: text, requiresMeteringPoint: true).first {
                throw ValueProblem("\(problem); got `\(text)`")
            }
            config.ckw.contract.meterDataPath = text
        }, render: { YAMLRendering.string($0.ckw.contract.meterDataPath) }),
        queryParameter("ckw.api.from_parameter", \.ckw.contract.fromParameter),
        queryParameter("ckw.api.to_parameter", \.ckw.contract.toParameter),
        queryParameter("ckw.api.obis_parameter", \.ckw.contract.obisParameter),
        .choice("ckw.api.time_format", \.ckw.contract.timeFormat),
        ConfigurationKey("ckw.api.longest_range", apply: { config, raw throws(ValueProblem) in
            let range = try ConfigurationValueParsing.duration(raw, in: .seconds(3600) ... .seconds(366 * 86_400))
            config.ckw.contract.maximumRange = range.timeInterval
        }, render: { ConfigurationValueParsing.render(.seconds(Int64($0.ckw.contract.maximumRange))) }),
        .choice("ckw.api.rate_limit_reset_unit", \.ckw.contract.resetUnit),
        .integer("ckw.api.daily_request_limit", \.ckw.dailyRequestLimit, in: 10...1_000_000),
    ]

    private static func queryParameter(_ path: String, _ field: ConfigurationKey.Path<String>) -> ConfigurationKey {
        .string(path, field, parse: { raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            guard OpenEnergyContract.isParameterName(text) else {
                throw ValueProblem("expected a query parameter name (letters, digits, `-`, `_`, `.`, `~`), got `\(text)`")
            }
            return text
        })
    }

    // MARK: bridge

    private static let bridge: [ConfigurationKey] = [
        .string("bridge.state_directory", \.bridge.stateDirectory),
        // The API serves at most 31 days per request.
        .duration("bridge.lookback", \.bridge.lookback, in: .seconds(15 * 60) ... .seconds(31 * 86_400)),
        ConfigurationKey("bridge.poll_interval", apply: { config, raw throws(ValueProblem) in
            let interval = try ConfigurationValueParsing.duration(raw, in: .seconds(1) ... .seconds(7 * 86_400))
            if interval < FetchPolicy.shortestPollInterval {
                throw ValueProblem("must be at least \(ConfigurationValueParsing.render(FetchPolicy.shortestPollInterval)), got \(ConfigurationValueParsing.render(interval)): CKW's values arrive in 15-minute intervals, and the login's daily request quota is shared by all its metering points")
            }
            if interval > FetchPolicy.longestPollInterval {
                throw ValueProblem("must be at most \(ConfigurationValueParsing.render(FetchPolicy.longestPollInterval)), got \(ConfigurationValueParsing.render(interval))")
            }
            config.bridge.pollInterval = interval
        }, render: { ConfigurationValueParsing.render($0.bridge.pollInterval) }),
        ConfigurationKey("bridge.correction_sweep", apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.nonEmptyString(raw)
            switch text.lowercased() {
            case "daily": config.bridge.correctionSweep = .every(.seconds(86_400))
            case "off", "false", "no": config.bridge.correctionSweep = .off
            default:
                guard ConfigurationValueParsing.durationSeconds(text) != nil else {
                    throw ValueProblem("expected `daily`, `off` or a duration such as `12h`, got `\(text)`")
                }
                let interval = try ConfigurationValueParsing.duration(raw, in: .seconds(3600) ... .seconds(7 * 86_400))
                config.bridge.correctionSweep = .every(interval)
            }
        }, render: { config in
            switch config.bridge.correctionSweep {
            case .off: YAMLRendering.string("off")
            case .every(let interval) where interval == .seconds(86_400): YAMLRendering.string("daily")
            case .every(let interval): ConfigurationValueParsing.render(interval)
            }
        }),
        .duration("bridge.login_check_interval", \.bridge.loginCheckInterval, in: .seconds(1) ... .seconds(86_400)),
    ]

    // MARK: logging, http

    private static let logging: [ConfigurationKey] = [
        .choice("logging.level", \.logging.level),
        .choice("logging.format", \.logging.format),
    ]

    private static let http: [ConfigurationKey] = [
        .bool("http.enabled", \.http.enabled),
        .string("http.host", \.http.host),
        .integer("http.port", \.http.port, in: 1...65_535),
        ConfigurationKey("http.ingress_proxy", apply: { config, raw throws(ValueProblem) in
            config.http.ingressProxy = try ConfigurationValueParsing.ingressProxy(raw)
        }, render: { YAMLRendering.string($0.http.ingressProxy ?? "none") }),
        .optionalString("http.auth.username", \.http.auth.username),
        .secret("http.auth.password", \.http.auth.password, readFrom: \.http.auth.passwordFile),
        .optionalString("http.auth.password_file", \.http.auth.passwordFile),
    ]
}
