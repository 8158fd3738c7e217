"""Helpers of the ckw2mqtt end-to-end tests: real processes (mosquitto, Home Assistant, the bridge)
and small clients to talk to them."""
