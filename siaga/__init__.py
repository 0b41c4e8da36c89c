"""Kampung Siaga: community co-production of health response (Kampung Siaga Candi Hebat)."""

__version__ = "0.1.0"
