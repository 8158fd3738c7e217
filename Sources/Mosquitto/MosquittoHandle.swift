import CMosquitto

/// A `struct mosquitto *`. Sendable because the client coordinates every use: callers touch it only
/// under the client's lock while it is set, the connection thread owns the loop, and the handle is
/// destroyed only after both are done with it.
struct MosquittoHandle: @unchecked Sendable {
    let raw: OpaquePointer
}
