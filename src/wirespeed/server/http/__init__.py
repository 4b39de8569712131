"""The daemon's HTTP front end (docs/http-api.md)."""
