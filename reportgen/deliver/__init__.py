"""Delivery channels: email (through the outbox), publish to a web folder, print folder."""

from reportgen.deliver.base import CHANNEL_NAMES, Channel, Outcome, Parcel, get_channel

__all__ = ["CHANNEL_NAMES", "Channel", "Outcome", "Parcel", "get_channel"]
