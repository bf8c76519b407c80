"""What operators see of the running site: health probes, JSON logs with a request id, optional Sentry."""
