"""Use cases of the practitioners context: practitioners, their working hours and time off,
organization holidays, rooms and appointment types."""
