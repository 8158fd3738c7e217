

/// Names of the independent random streams, so that e.g. the noise of consumption and of clouds never coincide.
enum RandomStream: UInt64 {
    case household = 1
    case consumptionDay
    case consumptionInterval
    case solarDay
    case solarInterval
    case provisional
    case estimateError
}
