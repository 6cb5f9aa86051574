"""Verbatim: checks quotes against their sources. This package has no Discord import."""

__version__ = "0.1.0"
