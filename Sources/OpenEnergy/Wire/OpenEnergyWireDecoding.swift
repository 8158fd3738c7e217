import Foundation

/// Turns response bodies into domain values, all or nothing: either the whole body decodes and maps, or an
/// `OpenEnergyError.decoding` names the endpoint and the offending field.
package enum OpenEnergyWireDecoding {
    package static func coreData(from body: Data, endpoint: String) throws(OpenEnergyError) -> CoreData {
        let wire = try decode(OpenEnergyWire.CoreData.self, from: body, endpoint: endpoint)
        return OpenEnergyWireMapping.coreData(from: wire)
    }

    /// Meter data bodies are large (a 31-day response holds about 6,000 values), so they go through the
    /// dedicated `MeterDataDecoder` instead of `JSONDecoder`.
    package static func meterData(from body: Data, endpoint: String) throws(OpenEnergyError) -> MeterData {
        try MeterDataDecoder.decode(body, endpoint: endpoint)
    }

    /// The same through `JSONDecoder` and the `Codable` wire types: the reference the fast decoder is tested against.
    package static func meterDataViaCodable(from body: Data, endpoint: String) throws(OpenEnergyError) -> MeterData {
        let wire = try decode(OpenEnergyWire.MeterData.self, from: body, endpoint: endpoint)
        do {
            return try OpenEnergyWireMapping.meterData(from: wire)
        } catch {
            throw .decoding(endpoint: endpoint, field: error.field, reason: error.reason)
        }
    }

    /// The server's `{ "error", "message" }`, if the body is one.
    package static func errorBody(from body: Data) -> OpenEnergyWire.ErrorBody? {
        try? JSONDecoder().decode(OpenEnergyWire.ErrorBody.self, from: body)
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: Data, endpoint: String) throws(OpenEnergyError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw .decoding(endpoint: endpoint, field: path, reason: reason)
        } catch {
            throw .decoding(endpoint: endpoint, field: "(body)", reason: String(describing: error))
        }
    }

    /// The coding path as `a.b[2].c`, and a short reason.
    static func describe(_ error: DecodingError) -> (path: String, reason: String) {
        switch error {
        case let .keyNotFound(key, context):
            return (fieldPath(context.codingPath + [key]), "required field is missing")
        case let .valueNotFound(type, context):
            return (fieldPath(context.codingPath), "expected \(type) but found null")
        case let .typeMismatch(type, context):
            return (fieldPath(context.codingPath), "expected \(type): \(context.debugDescription)")
        case let .dataCorrupted(context):
            var reason = context.debugDescription
            if let underlying = context.underlyingError {
                reason += " (\(underlying))"
            }
            return (fieldPath(context.codingPath), reason)
        @unknown default:
            return ("(body)", String(describing: error))
        }
    }

    static func fieldPath(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "(body)" }
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        return path
    }
}
