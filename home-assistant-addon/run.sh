#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Maps the add-on's options and the Supervisor's MQTT service to ckw2mqtt's settings (its
# CKW2MQTT_<SECTION>_<KEY> variables), then runs the bridge. The fixed settings (state in /data,
# the web page for ingress) are in the Dockerfile's ENV.
set -e

# The Supervisor's API, found as bashio finds it.
supervisor_api="${SUPERVISOR_API:-http://supervisor}"

# ---- MQTT: the broker add-on's address and credentials ----------------------------------------
if ! bashio::services.available mqtt; then
  bashio::exit.nok "No MQTT broker: install and start the Mosquitto broker add-on (Settings → Add-ons → Add-on store), then start ckw2mqtt again."
fi
# A value of the MQTT service; empty (ckw2mqtt's "not set") when the provider leaves it out, for
# which bashio prints null.
mqtt_service() {
  local value
  value="$(bashio::services mqtt "$1")"
  [ "${value}" = "null" ] && value=""
  printf '%s' "${value}"
}
export CKW2MQTT_MQTT_HOST="$(mqtt_service 'host')"
export CKW2MQTT_MQTT_PORT="$(mqtt_service 'port')"
export CKW2MQTT_MQTT_USERNAME="$(mqtt_service 'username')"
export CKW2MQTT_MQTT_PASSWORD="$(mqtt_service 'password')"
if bashio::var.true "$(mqtt_service 'ssl')"; then
  export CKW2MQTT_MQTT_TLS_ENABLED=true
else
  export CKW2MQTT_MQTT_TLS_ENABLED=false
fi

# ---- CKW ----------------------------------------------------------------------------------------
export CKW2MQTT_CKW_MODE="$(bashio::config 'ckw_mode')"
export CKW2MQTT_CKW_ISSUER="$(bashio::config 'ckw_issuer')"
export CKW2MQTT_CKW_API_BASE_URL="$(bashio::config 'ckw_api_base_url')"
export CKW2MQTT_CKW_CLIENT_ID="$(bashio::config 'ckw_client_id')"
if bashio::config.has_value 'ckw_client_secret'; then
  export CKW2MQTT_CKW_CLIENT_SECRET="$(bashio::config 'ckw_client_secret')"
fi
if bashio::config.has_value 'ckw_redirect_uri'; then
  export CKW2MQTT_CKW_REDIRECT_URI="$(bashio::config 'ckw_redirect_uri')"
fi
# One id a line from bashio, a comma-separated list for ckw2mqtt; none means every metering point
# of the login.
if bashio::config.has_value 'ckw_metering_points'; then
  export CKW2MQTT_CKW_METERING_POINTS="$(bashio::config 'ckw_metering_points' | paste -sd, -)"
fi

# ---- Schedule, Home Assistant, logging --------------------------------------------------------
export CKW2MQTT_BRIDGE_POLL_INTERVAL="$(bashio::config 'poll_interval')"
export CKW2MQTT_BRIDGE_LOOKBACK="$(bashio::config 'lookback')"
export CKW2MQTT_HOMEASSISTANT_SURPLUS_THRESHOLD_WATTS="$(bashio::config 'surplus_threshold_watts')"
export CKW2MQTT_LOGGING_LEVEL="$(bashio::config 'log_level')"

# Long-term statistics through the Supervisor's proxy to Home Assistant's websocket API
# (homeassistant_api: true in config.yaml), authenticated with the add-on's own Supervisor token.
# ckw2mqtt derives ws://supervisor/core/api/websocket from the URL, which the Supervisor serves
# like /core/websocket.
if bashio::config.true 'statistics'; then
  if [ -z "${SUPERVISOR_TOKEN:-}" ]; then
    bashio::exit.nok "The Supervisor gave this add-on no token (SUPERVISOR_TOKEN), so statistics cannot be imported. Turn off the option statistics, or reinstall the add-on."
  fi
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_ENABLED=true
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_URL="${supervisor_api}/core"
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_TOKEN="${SUPERVISOR_TOKEN}"
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_BACKFILL="$(bashio::config 'statistics_backfill')"
else
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_ENABLED=false
fi

bashio::log.info "Starting ckw2mqtt. Its page (status, log in to CKW): Open Web UI on the add-on's Info tab."
exec ckw2mqtt run
