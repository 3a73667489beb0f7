"""connect-sandbox: a local, stateful, Stripe-compatible API server for Connect platforms."""
__version__ = "0.1.0"
