"""Compliance use cases: legal holds, the retention policy and the retention engine."""
