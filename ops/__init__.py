"""Running Tongban's own services in production: structured logs, metrics."""
