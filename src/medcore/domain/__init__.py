"""The framework-free core: aggregates, value objects, domain services and ports."""
