"""Webhooks: signing (signing.py), which endpoints receive an event (routing.py), one
HTTP delivery (sender.py) and the background worker that drains the outbox (worker.py).
Deliveries are rows written in the event's own transaction (store/outbox.py)."""
