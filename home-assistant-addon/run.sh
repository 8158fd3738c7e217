#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Maps the add-on's options and the Supervisor's MQTT service to ckw2mqtt's settings (its
# CKW2MQTT_<SECTION>_<KEY> variables), then runs the bridge. The fixed settings (state in /data,
# the web page for ingress) are in the Dockerfile's ENV.
set -e

# The Supervisor's API, found as bashio finds it.
supervisor_api="${SUPERVISOR_API:-http://supervisor}"

# Exports ckw2mqtt's variable $1 with the value of option $2. Assigned apart from `export`, so that
# a failed request to the Supervisor stops the add-on here, after bashio's error, instead of
# starting the bridge without the value.
from_option() {
  local value
  value="$(bashio::config "$2")"
  export "$1=${value}"
}

# The same with the value $2 of the MQTT service; empty (ckw2mqtt's "not set") when the providing
# add-on leaves it out, for which bashio prints null.
from_service() {
  local value
  value="$(bashio::services mqtt "$2")"
  [ "${value}" = "null" ] && value=""
  export "$1=${value}"
}

# ---- MQTT: the broker add-on's address and credentials ----------------------------------------
if ! bashio::services.available mqtt; then
  bashio::exit.nok "No MQTT broker: install and start the Mosquitto broker add-on (Settings → Add-ons → Add-on store), then start ckw2mqtt again."
fi
from_service CKW2MQTT_MQTT_HOST 'host'
from_service CKW2MQTT_MQTT_PORT 'port'
from_service CKW2MQTT_MQTT_USERNAME 'username'
from_service CKW2MQTT_MQTT_PASSWORD 'password'
from_service CKW2MQTT_MQTT_TLS_ENABLED 'ssl'
if ! bashio::var.true "${CKW2MQTT_MQTT_TLS_ENABLED}"; then
  export CKW2MQTT_MQTT_TLS_ENABLED=false
fi

# ---- CKW ----------------------------------------------------------------------------------------
from_option CKW2MQTT_CKW_MODE 'ckw_mode'
from_option CKW2MQTT_CKW_ISSUER 'ckw_issuer'
from_option CKW2MQTT_CKW_API_BASE_URL 'ckw_api_base_url'
from_option CKW2MQTT_CKW_CLIENT_ID 'ckw_client_id'
if bashio::config.has_value 'ckw_client_secret'; then
  from_option CKW2MQTT_CKW_CLIENT_SECRET 'ckw_client_secret'
fi
if bashio::config.has_value 'ckw_redirect_uri'; then
  from_option CKW2MQTT_CKW_REDIRECT_URI 'ckw_redirect_uri'
fi
# One id a line from bashio, a comma-separated list for ckw2mqtt; none means every metering point
# of the login.
if bashio::config.has_value 'ckw_metering_points'; then
  from_option CKW2MQTT_CKW_METERING_POINTS 'ckw_metering_points'
  export CKW2MQTT_CKW_METERING_POINTS="${CKW2MQTT_CKW_METERING_POINTS//$'\n'/,}"
fi

# ---- Schedule, Home Assistant, logging --------------------------------------------------------
from_option CKW2MQTT_BRIDGE_POLL_INTERVAL 'poll_interval'
from_option CKW2MQTT_BRIDGE_LOOKBACK 'lookback'
from_option CKW2MQTT_HOMEASSISTANT_SURPLUS_THRESHOLD_WATTS 'surplus_threshold_watts'
from_option CKW2MQTT_LOGGING_LEVEL 'log_level'

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
  from_option CKW2MQTT_HOMEASSISTANT_STATISTICS_BACKFILL 'statistics_backfill'
else
  export CKW2MQTT_HOMEASSISTANT_STATISTICS_ENABLED=false
fi

bashio::log.info "Starting ckw2mqtt. Its page (status, log in to CKW): Open Web UI on the add-on's Info tab."
exec ckw2mqtt run
