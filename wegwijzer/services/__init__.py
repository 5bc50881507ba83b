"""Every write and every multi-step read; the only place that commits."""
