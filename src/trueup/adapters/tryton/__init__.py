"""Tryton 8.2 behind the BackOffice port (JSON-RPC), and the embedded Tryton trueup builds and runs."""
