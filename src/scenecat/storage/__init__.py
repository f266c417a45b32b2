"""Storage layer: the only place that writes SQL."""
