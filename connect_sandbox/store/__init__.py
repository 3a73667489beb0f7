"""Persistence. `open_store(url)` returns a Store; `store.transaction()` yields a Tx
whose every call names the account it reads or writes."""
from .sql import Store, Tx, open_store

__all__ = ["Store", "Tx", "open_store"]
