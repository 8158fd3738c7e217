import Foundation
import Testing

/// A fixed environment: no real `HOME`, `STATE_DIRECTORY` or `CKW2MQTT_*` from the machine.
let baseEnvironment = ["HOME": "/home/anna"]

/// The minimum a `run` needs from the CKW side.
let requiredCKWYAML = """
ckw:
  api_base_url: https://api.example.ch/openenergy
  client_id: ckw2mqtt-test

"""

/// A UTC instant on the quarter-hour grid: `quarterHour(0)` is 2026-11-26T23:00:00Z.
func quarterHour(_ index: Int) -> Date {
    Date(timeIntervalSince1970: 1_795_734_000 + TimeInterval(index) * 900)
}
