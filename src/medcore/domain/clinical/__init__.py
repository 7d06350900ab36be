"""The clinical context: consultations (encounters) with their notes, vitals, diagnoses,
signature and addenda; consultation templates; health metrics; health reminders."""
