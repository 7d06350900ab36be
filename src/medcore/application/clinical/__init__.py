"""Use cases of the clinical context: consultations, templates, health metrics and reminders."""
