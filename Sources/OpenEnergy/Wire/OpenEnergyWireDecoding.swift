import Foundation

/// Turns response bodies into domain values, all or nothing: either the whole body decodes and maps, or an
/// `OpenEnergyError.decoding` names the JSON path, what was expected and what was found.
package enum OpenEnergyWireDecoding {
    package static func coreData(
        from body: Data, endpoint: String, options: OpenEnergyDecodingOptions = OpenEnergyDecodingOptions()
    ) throws(OpenEnergyError) -> CoreData {
        try WireDecoder.coreData(body, endpoint: endpoint, options: options)
    }

    package static func meterData(
        from body: Data, endpoint: String, options: OpenEnergyDecodingOptions = OpenEnergyDecodingOptions()
    ) throws(OpenEnergyError) -> MeterData {
        try WireDecoder.meterData(body, endpoint: endpoint, options: options)
    }

    /// The same through `JSONDecoder` and the `Codable` wire types: the strict reference the decoder is
    /// tested against on bodies the wire types can express.
    package static func meterDataViaCodable(from body: Data, endpoint: String) throws(OpenEnergyError) -> MeterData {
        let wire = try decode(OpenEnergyWire.MeterData.self, from: body, endpoint: endpoint)
        do {
            return try OpenEnergyWireMapping.meterData(from: wire)
        } catch {
            throw .decoding(OpenEnergyDecodingError(endpoint: endpoint, path: error.field, expected: error.expected, found: error.found))
        }
    }

    /// Core data through `JSONDecoder` and the `Codable` wire types (the strict reference).
    package static func coreDataViaCodable(from body: Data, endpoint: String) throws(OpenEnergyError) -> CoreData {
        OpenEnergyWireMapping.coreData(from: try decode(OpenEnergyWire.CoreData.self, from: body, endpoint: endpoint))
    }

    /// The server's `{ "error", "message" }`, if the body is one.
    package static func errorBody(from body: Data) -> OpenEnergyWire.ErrorBody? {
        try? JSONDecoder().decode(OpenEnergyWire.ErrorBody.self, from: body)
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: Data, endpoint: String) throws(OpenEnergyError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            let (path, expected, found) = expectation(error)
            throw .decoding(OpenEnergyDecodingError(endpoint: endpoint, path: path, expected: expected, found: found))
        } catch {
            throw .decoding(OpenEnergyDecodingError(endpoint: endpoint, path: "(body)", expected: "valid JSON", found: String(describing: error)))
        }
    }

    /// The coding path as `a.b[2].c`, and a short reason (for the token endpoint's and discovery's bodies).
    static func describe(_ error: DecodingError) -> (path: String, reason: String) {
        let (path, expected, found) = expectation(error)
        return (path, "expected \(expected), found \(found)")
    }

    /// The coding path as `a.b[2].c`, what was expected and what was found.
    static func expectation(_ error: DecodingError) -> (path: String, expected: String, found: String) {
        switch error {
        case let .keyNotFound(key, context):
            return (fieldPath(context.codingPath + [key]), "the required field `\(key.stringValue)`", "nothing")
        case let .valueNotFound(type, context):
            return (fieldPath(context.codingPath), "\(type)", "null")
        case let .typeMismatch(type, context):
            return (fieldPath(context.codingPath), "\(type)", context.debugDescription)
        case let .dataCorrupted(context):
            var found = context.debugDescription
            if let underlying = context.underlyingError {
                found += " (\(underlying))"
            }
            return (fieldPath(context.codingPath), "valid JSON", found)
        @unknown default:
            return ("(body)", "valid JSON", String(describing: error))
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
