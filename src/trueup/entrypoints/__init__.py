"""How trueup is run: the HTTP service, workers, and the command line. They wire adapters to use cases."""
