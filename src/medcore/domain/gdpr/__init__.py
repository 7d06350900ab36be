"""GDPR: the patient's export of their data, and erasure within what the law lets go."""
