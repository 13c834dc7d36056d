"""Use cases: what trueup does with an event, over the ports. No framework, no database, no HTTP."""
