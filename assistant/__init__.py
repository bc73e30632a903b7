"""Peninsula: offline, cited question answering over Korean-peninsula diplomacy sources."""

__version__ = "0.1.0"
