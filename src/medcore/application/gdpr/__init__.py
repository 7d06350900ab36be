"""GDPR: a patient's export of their data, erasure, and the records it keeps."""
