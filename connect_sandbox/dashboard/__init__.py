"""The dashboard: server-rendered pages under /dashboard of the API server, for a person
to look at a platform, its sellers, customers, clones, payments, events and webhooks.
Sign in with a platform's secret key; a platform only ever sees its own data and its
connected accounts'. Templates in templates/, one stylesheet in static/; no JavaScript,
no CDN."""
from .routes import routes

__all__ = ["routes"]
