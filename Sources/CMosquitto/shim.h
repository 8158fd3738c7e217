#ifndef CKW2MQTT_CMOSQUITTO_SHIM_H
#define CKW2MQTT_CMOSQUITTO_SHIM_H

// mosquitto.h does not include mqtt_protocol.h, which holds the MQTT_PROP_* and MQTT_RC_* constants
// the Swift wrapper needs for MQTT v5 properties and reason codes.
#include <mosquitto.h>
#include <mqtt_protocol.h>

#endif
