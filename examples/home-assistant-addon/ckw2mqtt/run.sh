#!/usr/bin/with-contenv bashio
# Maps the add-on options and the Mosquitto add-on's credentials to ckw2mqtt's CKW2MQTT_*
# variables, then runs the bridge. An empty value means "not set" to ckw2mqtt.
set -e

export CKW2MQTT_BRIDGE_STATE_DIRECTORY=/data
export CKW2MQTT_MQTT_HOST="$(bashio::services mqtt 'host')"
export CKW2MQTT_MQTT_PORT="$(bashio::services mqtt 'port')"
export CKW2MQTT_MQTT_USERNAME="$(bashio::services mqtt 'username')"
export CKW2MQTT_MQTT_PASSWORD="$(bashio::services mqtt 'password')"

export CKW2MQTT_CKW_MODE="$(bashio::config 'ckw_mode')"
export CKW2MQTT_CKW_ISSUER="$(bashio::config 'ckw_issuer')"
export CKW2MQTT_CKW_API_BASE_URL="$(bashio::config 'ckw_api_base_url')"
export CKW2MQTT_CKW_CLIENT_ID="$(bashio::config 'ckw_client_id')"
if bashio::config.has_value 'ckw_client_secret'; then
  export CKW2MQTT_CKW_CLIENT_SECRET="$(bashio::config 'ckw_client_secret')"
fi
# A comma-separated list; none means every metering point of the login.
if bashio::config.has_value 'ckw_metering_points'; then
  export CKW2MQTT_CKW_METERING_POINTS="$(bashio::config 'ckw_metering_points' | paste -sd, -)"
fi
export CKW2MQTT_HOMEASSISTANT_SURPLUS_THRESHOLD_WATTS="$(bashio::config 'surplus_threshold_watts')"
export CKW2MQTT_BRIDGE_POLL_INTERVAL="$(bashio::config 'poll_interval')"
export CKW2MQTT_BRIDGE_LOOKBACK="$(bashio::config 'lookback')"
export CKW2MQTT_LOGGING_LEVEL="$(bashio::config 'log_level')"

# Client mode needs a login once: in the add-on's terminal (or `docker exec -it addon_local_ckw2mqtt`)
#   CKW2MQTT_BRIDGE_STATE_DIRECTORY=/data ckw2mqtt login --paste
# ckw2mqtt reports "login required" on its bridge device until then.
exec /usr/local/bin/ckw2mqtt run
