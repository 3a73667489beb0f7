"""The dashboard's pages. Each function takes a Scope (the signed-in platform, inside one
read-only transaction) and the query string, and returns (template name, context)."""
