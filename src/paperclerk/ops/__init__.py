"""Operations: health checks, Prometheus metrics, structured logging."""
