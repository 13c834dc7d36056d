"""The business of order-to-cash in plain Python: no framework, no database, no HTTP."""
