-- pgbench script: the SQL that one booking request (POST /api/v1/appointments) sends, in the
-- same order, captured with log_statement=all (python -m benchmarks.booking.capture_statements),
-- run by pgbench with -M prepared (psycopg prepares statements after 5 uses per connection).
-- What medcore decides in Python (is the time free?) is left to the exclusion constraints
-- here (INSERT ... ON CONFLICT DO NOTHING): the same rules for the practitioner (with the
-- buffer), the room and the patient. The random picks match booking.lua.
--
-- Variables (-D): org, user_id, session_id, practitioners, patients, days.

\set pn random(1, :practitioners)
\set an random(1, :patients)
\set dn random(1, :days)
\set slot random(0, 128)
-- pgbench only: the random ids and the instants medcore computes in Python (the window is the
-- candidate +- 2 days, holidays by local date).
SELECT p.id AS practitioner_id, p.room_id AS room_id, q.id AS patient_id, s.starts_at AS starts_at,
       s.starts_at + interval '20 minutes' AS ends_at,
       s.starts_at + make_interval(mins => 20 + pr.buffer_minutes) AS blocked_until,
       pr.buffer_minutes AS buffer_minutes,
       s.starts_at - interval '2 days' AS window_start, s.starts_at + interval '20 minutes 2 days' AS window_end,
       ((s.starts_at - interval '2 days') AT TIME ZONE 'Europe/Paris')::date AS first_day,
       ((s.starts_at + interval '20 minutes 2 days') AT TIME ZONE 'Europe/Paris')::date AS last_day,
       'practitioner:' || p.id AS lock_key
FROM bench.practitioners p
JOIN practitioners pr ON pr.id = p.id
CROSS JOIN bench.patients q
CROSS JOIN LATERAL (SELECT d.starts_at + make_interval(mins => 5 * :slot::int) AS starts_at FROM bench.days d WHERE d.n = :dn) s
WHERE p.n = :pn::int AND q.n = :an::int \gset

-- Authentication (RequestContextMiddleware -> Authenticate.bearer): its own unit of work.
SELECT 1;
BEGIN;
SELECT * FROM sessions WHERE organization_id = :org AND id = :session_id;
SELECT * FROM users WHERE organization_id = :org AND id = :user_id;
SELECT * FROM organizations WHERE id = :org;
ROLLBACK;

-- BookAppointment: pool pre-ping, then one transaction.
SELECT 1;
BEGIN;
SELECT * FROM patients WHERE organization_id = :org AND id = :patient_id AND deleted_at IS NULL;
SELECT * FROM practitioners WHERE organization_id = :org AND id = :practitioner_id;
SELECT * FROM rooms WHERE organization_id = :org AND id = :room_id;
SELECT * FROM organizations WHERE id = :org;
SELECT pg_advisory_xact_lock(hashtextextended(:lock_key, 0));
SELECT * FROM time_off
WHERE organization_id = :org AND practitioner_id = :practitioner_id
  AND during && tstzrange(:window_start, :window_end, '[)')
ORDER BY lower(during), id;
SELECT * FROM holidays WHERE organization_id = :org AND day BETWEEN :first_day AND :last_day ORDER BY day;
-- The practitioner's, the patient's and the room's appointments in one statement (as medcore
-- sends it since ADR 0022).
SELECT * FROM appointments
WHERE organization_id = :org
  AND status IN ('checked_in', 'completed', 'confirmed', 'in_progress', 'requested')
  AND (practitioner_id = :practitioner_id
       AND tstzrange(starts_at, blocked_until, '[)') && tstzrange(:window_start, :window_end, '[)')
    OR patient_id = :patient_id
       AND tstzrange(starts_at, ends_at, '[)') && tstzrange(:window_start, :window_end, '[)')
    OR room_id = :room_id
       AND tstzrange(starts_at, ends_at, '[)') && tstzrange(:window_start, :window_end, '[)'))
ORDER BY starts_at, id;
WITH booked AS (
  INSERT INTO appointments (id, organization_id, practitioner_id, patient_id, appointment_type_id, room_id,
      starts_at, ends_at, blocked_until, buffer_minutes, status, reason, series_id, rescheduled_from_id,
      override_reason, booked_by, booked_by_patient, patient_exclusive, cancellation_reason, cancellation_note,
      cancelled_late, cancelled_at, cancelled_by, status_changed_at, created_at, updated_at, version)
  VALUES (uuidv7(), :org, :practitioner_id, :patient_id, NULL, :room_id, :starts_at, :ends_at, :blocked_until,
      :buffer_minutes, 'confirmed', 'Consultation', NULL, NULL, NULL, :user_id, false, true, NULL, NULL, NULL,
      NULL, NULL, now(), now(), now(), 1)
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT count(*) AS booked, min(id::text) AS appointment_id FROM booked \gset
\if :booked
\startpipeline
INSERT INTO appointment_reminders (id, organization_id, appointment_id, due_at, channel, status, sent_at,
    skip_reason, created_at, updated_at, version)
VALUES (uuidv7(), :org, :appointment_id, :starts_at::timestamptz - interval '24 hours', 'email', 'pending', NULL,
    NULL, now(), now(), 1);
INSERT INTO appointment_reminders (id, organization_id, appointment_id, due_at, channel, status, sent_at,
    skip_reason, created_at, updated_at, version)
VALUES (uuidv7(), :org, :appointment_id, :starts_at::timestamptz - interval '2 hours', 'email', 'pending', NULL,
    NULL, now(), now(), 1);
\endpipeline
-- audit:begin (run_pgbench --without-audit leaves this out, to show what the per-organization
-- serialisation costs)
-- The audit trail, at commit: lock the organization's head (the row lock serialises appends
-- until COMMIT) and read the last sequence and hash; then, in one statement, move the head
-- forward and append the event chained after it (medcore hashes in Python; sha256 here).
SELECT sequence AS head_sequence, hash AS head_hash FROM audit_heads WHERE organization_id = :org FOR UPDATE \gset
WITH advanced_head AS (
  UPDATE audit_heads
  SET sequence = :head_sequence::bigint + 1,
      hash = encode(sha256(convert_to(:head_hash::text || :appointment_id::text, 'UTF8')), 'hex'),
      updated_at = now(), version = version + 1
  WHERE organization_id = :org
)
INSERT INTO audit_events (id, organization_id, sequence, occurred_at, actor_type, actor_id, actor_role, action,
    outcome, resource_type, resource_id, patient_id, purpose, ip, user_agent, request_id, details, created_at,
    ip_digest, user_agent_digest, hash_version, prev_hash, hash)
VALUES (uuidv7(), :org, :head_sequence::bigint + 1, now(), 'user', :user_id, 'receptionist', 'appointment.create',
    'success', 'appointment', :appointment_id, :patient_id, NULL, '127.0.0.1', NULL,
    replace(gen_random_uuid()::text, '-', ''),
    jsonb_build_object('practitioner_id', :practitioner_id::text, 'series_id', NULL, 'override', false), now(),
    encode(sha256(convert_to('127.0.0.1', 'UTF8')), 'hex'), NULL, 1, :head_hash,
    encode(sha256(convert_to(:head_hash::text || :appointment_id::text, 'UTF8')), 'hex'));
-- audit:end
COMMIT;
\else
ROLLBACK;
\endif
