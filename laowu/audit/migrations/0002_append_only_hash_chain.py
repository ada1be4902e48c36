"""Make the audit trail append-only and hash-chained (SECURITY.md item 14).

The insert trigger takes a transaction-scoped advisory lock, then draws a fresh id, so that id
order is chain order even when transactions commit out of order.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION laowu_audit_hash(a audit_auditevent) RETURNS varchar AS $$
  SELECT encode(sha256(convert_to(concat_ws(chr(31),
    a.prev_hash, a.id::text, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(a.user_id::text, ''), a.username, a.ip, a.event, a.object_type, a.object_id,
    a.object_repr, a.outcome, a.detail::text), 'UTF8')), 'hex')
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION laowu_audit_before_insert() RETURNS trigger AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727001);
  NEW.id := nextval(pg_get_serial_sequence('audit_auditevent', 'id'));
  SELECT hash INTO NEW.prev_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(NEW.prev_hash, '');
  NEW.hash := laowu_audit_hash(NEW);
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION laowu_audit_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('laowu.audit_purge', true) = 'on'
     AND OLD.at < now() - make_interval(days => 180) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit log is append-only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain BEFORE INSERT ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION laowu_audit_before_insert();
CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION laowu_audit_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_guard ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_chain ON audit_auditevent;
DROP FUNCTION IF EXISTS laowu_audit_guard();
DROP FUNCTION IF EXISTS laowu_audit_before_insert();
DROP FUNCTION IF EXISTS laowu_audit_hash(audit_auditevent);
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
