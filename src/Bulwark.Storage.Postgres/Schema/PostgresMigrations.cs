using Bulwark.Core.Audit;

namespace Bulwark.Storage.Postgres.Schema;

/// <summary>
/// The schema, as ordered steps run by the owner login. A step is never edited once released: a
/// change is a new step, so every existing database reaches the same shape. The roles the steps
/// name exist before the first step runs (<see cref="PostgresMigrator"/> creates them).
/// Times are bigint unix milliseconds and JSON is text, exactly as in the SQLite store.
/// </summary>
internal static class PostgresMigrations
{
    // Every policy reads the tenant the same way (RLS-06): an earlier transaction-local set_config
    // leaves '' behind on the connection, not NULL, so '' must mean "no tenant" too.
    private const string CurrentTenant = "NULLIF(current_setting('" + PostgresSchema.TenantSetting + "', true), '')";

    private const string App = PostgresSchema.AppRole;
    private const string SystemRole = PostgresSchema.SystemRole;

    public static IReadOnlyList<PostgresMigration> All { get; } =
    [
        new(1, "tables, keys and indexes",
            """
            CREATE SCHEMA bulwark;
            REVOKE ALL ON SCHEMA bulwark FROM PUBLIC;
            SET LOCAL search_path = bulwark, pg_temp;

            CREATE TABLE tenants (
                id         text    PRIMARY KEY CHECK (id <> ''),
                name       text    NOT NULL UNIQUE,
                created_at bigint  NOT NULL,
                suspended  boolean NOT NULL DEFAULT false
            );

            -- AUTH-2: only the SHA-256 of the secret is kept.
            CREATE TABLE api_keys (
                id          text   PRIMARY KEY,
                tenant_id   text   NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                name        text   NOT NULL,
                scopes      text   NOT NULL,
                secret_hash bytea  NOT NULL,
                created_at  bigint NOT NULL,
                expires_at  bigint,
                revoked_at  bigint
            );
            CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);

            -- tenant_id NULL: a global template every tenant may use (readable by all, written
            -- only through put_global_template).
            CREATE TABLE templates (
                id              text    PRIMARY KEY,
                tenant_id       text    REFERENCES tenants (id) CHECK (tenant_id <> ''),
                key             text    NOT NULL,
                version         integer NOT NULL CHECK (version >= 1),
                definition_json text    NOT NULL,
                created_at      bigint  NOT NULL,
                CONSTRAINT templates_owner_key_version UNIQUE NULLS NOT DISTINCT (tenant_id, key, version)
            );

            CREATE TABLE jobs (
                id               text    PRIMARY KEY,
                tenant_id        text    NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                -- A plain key, because a global template has no tenant; jobs_template_visible
                -- refuses a template that is neither the job's tenant's nor global.
                template_id      text    NOT NULL REFERENCES templates (id),
                template_key     text    NOT NULL,
                template_version integer NOT NULL,
                state            text    NOT NULL CHECK (state IN
                    ('scheduled', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'dead')),
                attempts         integer NOT NULL DEFAULT 0,
                max_attempts     integer NOT NULL CHECK (max_attempts >= 1),
                priority         integer NOT NULL DEFAULT 0,
                inputs_json      text    NOT NULL,
                result_json      text,
                error            text,
                error_code       text,
                idempotency_key  text,
                run_at           bigint  NOT NULL,
                created_at       bigint  NOT NULL,
                started_at       bigint,
                finished_at      bigint,
                cancel_requested boolean NOT NULL DEFAULT false,
                lease_token      text,
                lease_expires_at bigint,
                worker_id        text,
                actor            text,
                -- RLS-15: children reference (tenant_id, id), so a row can never point across tenants.
                CONSTRAINT jobs_tenant_id UNIQUE (tenant_id, id),
                -- JOB-5, RLS-14: an idempotency key names one job per tenant (NULL keys are distinct).
                CONSTRAINT jobs_tenant_idempotency UNIQUE (tenant_id, idempotency_key)
            );

            -- The claim walks this index in its ORDER BY order and stops after LIMIT rows; the
            -- partial WHERE keeps finished and running jobs (the bulk of the table) out of it.
            CREATE INDEX jobs_claimable ON jobs (priority DESC, run_at, id)
                WHERE state IN ('queued', 'scheduled', 'retrying') AND NOT cancel_requested;

            -- The reaper looks only at running jobs by lease expiry.
            CREATE INDEX jobs_running_leases ON jobs (lease_expires_at) WHERE state = 'running';

            -- Runs as the caller, so under its row-level security: only the caller's own and
            -- global templates are visible to the check.
            CREATE FUNCTION jobs_template_visible() RETURNS trigger
                LANGUAGE plpgsql SET search_path = bulwark, pg_temp AS
            $fn$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM templates t
                               WHERE t.id = NEW.template_id AND (t.tenant_id = NEW.tenant_id OR t.tenant_id IS NULL)) THEN
                    RAISE EXCEPTION 'a job may use only its own tenant''s templates or global ones'
                        USING ERRCODE = 'foreign_key_violation';
                END IF;
                RETURN NEW;
            END
            $fn$;
            CREATE TRIGGER jobs_template_visible BEFORE INSERT OR UPDATE OF template_id, tenant_id ON jobs
                FOR EACH ROW EXECUTE FUNCTION jobs_template_visible();

            CREATE TABLE attempts (
                tenant_id   text    NOT NULL CHECK (tenant_id <> ''),
                job_id      text    NOT NULL,
                attempt     integer NOT NULL,
                worker_id   text    NOT NULL,
                started_at  bigint  NOT NULL,
                finished_at bigint,
                outcome     text,
                exit_code   integer,
                error       text,
                error_code  text,
                PRIMARY KEY (tenant_id, job_id, attempt),
                FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id)
            );

            CREATE TABLE job_logs (
                id        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text    NOT NULL CHECK (tenant_id <> ''),
                job_id    text    NOT NULL,
                attempt   integer NOT NULL,
                stream    text    NOT NULL CHECK (stream IN ('stdout', 'stderr', 'runtime')),
                text      text    NOT NULL,
                at        bigint  NOT NULL,
                FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id)
            );
            CREATE INDEX job_logs_by_job ON job_logs (tenant_id, job_id, id);

            -- tenant_id NULL: a system event (e.g. a refused credential before any tenant is known).
            CREATE TABLE audit_log (
                seq         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at          bigint  NOT NULL,
                tenant_id   text    CHECK (tenant_id <> ''),
                actor       text    NOT NULL,
                action      text    NOT NULL,
                target      text,
                outcome     text    NOT NULL,
                request_id  text,
                trace_id    text,
                latency_ms  bigint,
                dry_run     boolean NOT NULL DEFAULT false,
                detail_json text
            );
            CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, seq);
            -- NET-3: rate limits count a tenant's entries of one action in a time window.
            CREATE INDEX audit_log_counts ON audit_log (tenant_id, action, at);

            -- AUD-2 and AUTH-5: append-only, whoever connects (the owner included). Statement
            -- triggers, because under forced row-level security a row trigger never fires when
            -- the policy hides every row, and the statement would "succeed" on zero rows.
            CREATE FUNCTION refuse_change() RETURNS trigger
                LANGUAGE plpgsql SET search_path = bulwark, pg_temp AS
            $fn$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END
            $fn$;
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

            -- JOB-7: a job's variables, set and read by its own code through the runtime API.
            CREATE TABLE job_variables (
                tenant_id  text   NOT NULL CHECK (tenant_id <> ''),
                job_id     text   NOT NULL,
                name       text   NOT NULL,
                value_json text   NOT NULL,
                updated_at bigint NOT NULL,
                PRIMARY KEY (tenant_id, job_id, name),
                FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id)
            );

            -- AUTH-6: the first valid JWT of an unknown subject creates its row.
            CREATE TABLE users (
                tenant_id  text   NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                subject    text   NOT NULL,
                email      text,
                roles      text   NOT NULL,
                first_seen bigint NOT NULL,
                last_seen  bigint NOT NULL,
                PRIMARY KEY (tenant_id, subject)
            );

            -- AUTH-5: appended and outlived (expires_at), never updated. tenant_id is NULL only
            -- for a jti the operator revoked in every tenant.
            CREATE TABLE revocations (
                id         text   PRIMARY KEY,
                kind       text   NOT NULL CHECK (kind IN ('jti', 'subject', 'key', 'tenant')),
                tenant_id  text   REFERENCES tenants (id) CHECK (tenant_id <> ''),
                value      text   NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint,
                reason     text,
                actor      text   NOT NULL,
                CHECK (tenant_id IS NOT NULL OR kind = 'jti')
            );
            CREATE INDEX revocations_by_expiry ON revocations (expires_at);
            CREATE TRIGGER revocations_no_update BEFORE UPDATE OR TRUNCATE ON revocations
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

            -- AUTHZ-6: per tenant; owner is the job holding it (NULL once released). A row is never
            -- deleted, so the fence only grows and a superseded number never comes back.
            CREATE TABLE locks (
                tenant_id  text   NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                name       text   NOT NULL,
                owner      text,
                fence      bigint NOT NULL CHECK (fence >= 1),
                expires_at bigint NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            """),

        new(2, "the tenant wall: row-level security, policies and grants",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- RLS-01/02: enabled and forced on every table, so the owner is bound too.
            {EnableAndForce("tenants", "api_keys", "templates", "jobs", "attempts", "job_logs", "audit_log", "job_variables", "users", "revocations", "locks")}

            -- The application sees and writes only the tenant of the transaction (TEN-1, RLS-04..11).
            CREATE POLICY tenant_wall ON tenants TO {App}
                USING (id = {CurrentTenant}) WITH CHECK (id = {CurrentTenant});
            {TenantWall("api_keys", "jobs", "attempts", "job_logs", "job_variables", "users", "revocations", "locks")}

            -- Global templates are readable by every tenant but written only by put_global_template.
            CREATE POLICY tenant_read ON templates FOR SELECT TO {App}
                USING (tenant_id = {CurrentTenant} OR tenant_id IS NULL);
            CREATE POLICY tenant_write ON templates FOR INSERT TO {App}
                WITH CHECK (tenant_id = {CurrentTenant});

            -- Audit entries without a tenant (system events) may be appended while no tenant is
            -- set, and are never readable by the application.
            CREATE POLICY tenant_read ON audit_log FOR SELECT TO {App}
                USING (tenant_id = {CurrentTenant});
            CREATE POLICY tenant_append ON audit_log FOR INSERT TO {App}
                WITH CHECK (tenant_id IS NOT DISTINCT FROM {CurrentTenant});

            -- The cross-tenant functions' owner, on exactly the tables those functions touch.
            {SystemPolicies("tenants", "api_keys", "templates", "jobs", "attempts", "revocations")}

            -- RLS-16: only what each table needs; never TRUNCATE, REFERENCES or TRIGGER, and no
            -- DELETE at all (nothing is ever deleted by the application).
            GRANT USAGE ON SCHEMA bulwark TO {App}, {SystemRole};
            GRANT SELECT ON ALL TABLES IN SCHEMA bulwark TO {App};
            GRANT INSERT ON tenants, api_keys, templates, jobs, job_logs, audit_log, job_variables, users, revocations, locks TO {App};
            GRANT UPDATE ON jobs, attempts, job_variables, users, locks TO {App};

            GRANT SELECT, INSERT, UPDATE ON tenants, api_keys, attempts TO {SystemRole};
            GRANT SELECT, INSERT ON templates, revocations TO {SystemRole};
            GRANT SELECT, UPDATE ON jobs TO {SystemRole};
            """),

        new(3, "cross-tenant functions",
            """
            SET LOCAL search_path = bulwark, pg_temp;

            -- JOB-3, JOB-5, TEN-4: the batch claim. Due, not cancelled, of an active tenant, in
            -- claim order; SKIP LOCKED lets claimers on every node take disjoint batches.
            CREATE FUNCTION claim_jobs(p_worker text, p_max integer, p_now bigint, p_expires bigint)
            RETURNS TABLE (
                id text, tenant_id text, template_id text, template_key text, template_version integer,
                state text, attempts integer, max_attempts integer, priority integer, inputs_json text,
                result_json text, error text, error_code text, idempotency_key text, run_at bigint,
                created_at bigint, started_at bigint, finished_at bigint, cancel_requested boolean,
                lease_token text, lease_expires_at bigint, worker_id text, actor text,
                template_tenant_id text, template_created_at bigint, template_definition_json text)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH picked AS (
                    SELECT j.id FROM jobs j
                    WHERE j.state IN ('queued', 'scheduled', 'retrying') AND NOT j.cancel_requested
                      AND j.run_at <= p_now
                      AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = j.tenant_id AND t.suspended)
                    ORDER BY j.priority DESC, j.run_at, j.id
                    LIMIT p_max
                    FOR UPDATE OF j SKIP LOCKED
                ), claimed AS (
                    UPDATE jobs j SET state = 'running', attempts = j.attempts + 1,
                        lease_token = replace(gen_random_uuid()::text, '-', ''),
                        lease_expires_at = p_expires, worker_id = p_worker, started_at = coalesce(j.started_at, p_now)
                    FROM picked WHERE j.id = picked.id
                    RETURNING j.*
                ), opened AS (
                    INSERT INTO attempts (tenant_id, job_id, attempt, worker_id, started_at)
                    SELECT c.tenant_id, c.id, c.attempts, p_worker, p_now FROM claimed c
                )
                SELECT c.id, c.tenant_id, c.template_id, c.template_key, c.template_version,
                    c.state, c.attempts, c.max_attempts, c.priority, c.inputs_json,
                    c.result_json, c.error, c.error_code, c.idempotency_key, c.run_at,
                    c.created_at, c.started_at, c.finished_at, c.cancel_requested,
                    c.lease_token, c.lease_expires_at, c.worker_id, c.actor,
                    t.tenant_id, t.created_at, t.definition_json
                FROM claimed c JOIN templates t ON t.id = c.template_id
            $fn$;

            -- JOB-3, JOB-4: expired leases go back to the queue, to the dead letters, or to
            -- cancelled; their attempts are closed. Idle workers on every node are woken when
            -- something was re-queued. SKIP LOCKED: a row locked right now is being completed or
            -- extended by its worker, or reaped by another node, and reapers never wait on each other.
            -- The states and the error are fixed here, not passed in: a caller of a cross-tenant
            -- function chooses only the time (PostgresStore checks these transitions against the
            -- state machine once, at start).
            CREATE FUNCTION reap_expired_leases(p_now bigint)
            RETURNS integer
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_reaped integer;
                v_requeued boolean;
                v_error constant text := 'The worker''s lease expired.';
                v_error_code constant text := 'lease_expired';
            BEGIN
                WITH expired AS (
                    UPDATE jobs j SET
                        state = CASE WHEN j.cancel_requested THEN 'cancelled'
                                     WHEN j.attempts < j.max_attempts THEN 'retrying' ELSE 'dead' END,
                        run_at = CASE WHEN NOT j.cancel_requested AND j.attempts < j.max_attempts THEN p_now ELSE j.run_at END,
                        error = CASE WHEN j.cancel_requested THEN j.error ELSE v_error END,
                        error_code = CASE WHEN j.cancel_requested THEN j.error_code ELSE v_error_code END,
                        finished_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts THEN p_now ELSE j.finished_at END,
                        lease_token = NULL, lease_expires_at = NULL, worker_id = NULL
                    WHERE j.id IN (SELECT x.id FROM jobs x WHERE x.state = 'running' AND x.lease_expires_at < p_now
                                   FOR UPDATE SKIP LOCKED)
                    RETURNING j.tenant_id, j.id, j.attempts, j.state
                ), closed AS (
                    UPDATE attempts a SET finished_at = p_now, outcome = e.state, exit_code = NULL,
                        error = v_error, error_code = v_error_code
                    FROM expired e
                    WHERE a.tenant_id = e.tenant_id AND a.job_id = e.id AND a.attempt = e.attempts
                )
                SELECT count(*), coalesce(bool_or(e.state = 'retrying'), false) INTO v_reaped, v_requeued FROM expired e;

                IF v_requeued THEN
                    PERFORM pg_notify('bulwark_work', '');
                END IF;

                RETURN v_reaped;
            END
            $fn$;

            -- Idle workers sleep exactly until the earliest waiting job of an active tenant.
            CREATE FUNCTION next_due_at() RETURNS bigint
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT min(j.run_at) FROM jobs j
                WHERE j.state IN ('queued', 'scheduled', 'retrying') AND NOT j.cancel_requested
                  AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = j.tenant_id AND t.suspended)
            $fn$;

            -- JOB-3: the job's tenant, only when the whole fence matches. The caller then sets that
            -- tenant and does its work under row-level security, re-checking the fence there.
            CREATE FUNCTION lease_tenant(p_job_id text, p_attempt integer, p_token text, p_now bigint) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT j.tenant_id FROM jobs j
                WHERE j.id = p_job_id AND j.attempts = p_attempt AND j.lease_token = p_token
                  AND j.state = 'running' AND j.lease_expires_at >= p_now
            $fn$;

            -- AUTH-2: authentication's lookup, before any tenant is known (the hash is checked by the caller).
            CREATE FUNCTION find_api_key(p_id text) RETURNS SETOF api_keys
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM api_keys WHERE id = p_id
            $fn$;

            CREATE FUNCTION revoke_api_key(p_id text, p_at bigint) RETURNS boolean
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH revoked AS (
                    UPDATE api_keys SET revoked_at = p_at WHERE id = p_id AND revoked_at IS NULL RETURNING 1
                )
                SELECT count(*) = 1 FROM revoked
            $fn$;

            -- AUTH-5: the feed of every node's revocation cache.
            CREATE FUNCTION list_revocations(p_now bigint) RETURNS SETOF revocations
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM revocations WHERE expires_at IS NULL OR expires_at > p_now ORDER BY id
            $fn$;

            CREATE FUNCTION add_global_revocation(
                p_id text, p_value text, p_created_at bigint, p_expires_at bigint, p_reason text, p_actor text)
            RETURNS void
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                INSERT INTO revocations (id, kind, tenant_id, value, created_at, expires_at, reason, actor)
                VALUES (p_id, 'jti', NULL, p_value, p_created_at, p_expires_at, p_reason, p_actor)
            $fn$;

            -- JOB-1: the next version of a global template; the advisory lock serializes writers
            -- of one key so that two of them never compute the same version.
            CREATE FUNCTION put_global_template(p_id text, p_key text, p_definition_json text, p_created_at bigint)
            RETURNS integer
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_version integer;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended('bulwark.template ' || p_key, 0));
                SELECT coalesce(max(t.version), 0) + 1 INTO v_version FROM templates t
                WHERE t.tenant_id IS NULL AND t.key = p_key;
                INSERT INTO templates (id, tenant_id, key, version, definition_json, created_at)
                VALUES (p_id, NULL, p_key, v_version, p_definition_json, p_created_at);
                RETURN v_version;
            END
            $fn$;

            -- OPS-1: the first tenant and its admin key, only on an empty store; the advisory lock
            -- keeps two first starts from both printing a key.
            CREATE FUNCTION bootstrap_tenant(
                p_tenant_id text, p_name text, p_created_at bigint, p_suspended boolean,
                p_key_id text, p_key_name text, p_scopes text, p_secret_hash bytea,
                p_key_created_at bigint, p_expires_at bigint, p_revoked_at bigint)
            RETURNS boolean
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended('bulwark.bootstrap', 0));
                IF EXISTS (SELECT 1 FROM tenants) THEN
                    RETURN false;
                END IF;
                INSERT INTO tenants (id, name, created_at, suspended) VALUES (p_tenant_id, p_name, p_created_at, p_suspended);
                INSERT INTO api_keys (id, tenant_id, name, scopes, secret_hash, created_at, expires_at, revoked_at)
                VALUES (p_key_id, p_tenant_id, p_key_name, p_scopes, p_secret_hash, p_key_created_at, p_expires_at, p_revoked_at);
                RETURN true;
            END
            $fn$;

            -- TEN-3: operator commands and authentication name a tenant before acting in it.
            CREATE FUNCTION find_tenant_by_name(p_name text) RETURNS SETOF tenants
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM tenants WHERE name = p_name
            $fn$;

            CREATE FUNCTION list_tenants() RETURNS SETOF tenants
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM tenants ORDER BY name
            $fn$;

            -- TEN-4
            CREATE FUNCTION set_tenant_suspended(p_name text, p_suspended boolean) RETURNS boolean
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH changed AS (UPDATE tenants SET suspended = p_suspended WHERE name = p_name RETURNING 1)
                SELECT count(*) = 1 FROM changed
            $fn$;
            """),

        new(4, "audit hash chain, chain heads, retention and purge",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- AUD-2: each entry sealed into its chain (the tenant's id, or 'system'). Entries written
            -- before this step carry no seal (the key is never in the database): chain 'unsealed'.
            ALTER TABLE audit_log
                ADD COLUMN chain     text   NOT NULL DEFAULT '{AuditChain.UnsealedChain}',
                ADD COLUMN chain_seq bigint NOT NULL DEFAULT 0,
                ADD COLUMN prev_hash bytea  NOT NULL DEFAULT ''::bytea,
                ADD COLUMN hash      bytea  NOT NULL DEFAULT ''::bytea;
            CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain, chain_seq) WHERE chain <> '{AuditChain.UnsealedChain}';
            CREATE INDEX audit_log_at ON audit_log (at);

            -- The last entry of each chain. Its row is locked by every append to the chain, so a
            -- chain never forks, and tenants' appends never wait on each other. last_seq 0: no entry yet.
            CREATE TABLE audit_chain_heads (
                chain     text   PRIMARY KEY,
                tenant_id text   REFERENCES tenants (id) CHECK (tenant_id <> ''),
                last_seq  bigint NOT NULL CHECK (last_seq >= 0),
                last_hash bytea  NOT NULL,
                CHECK ((tenant_id IS NULL AND chain = '{AuditChain.SystemChain}') OR chain = tenant_id)
            );
            {EnableAndForce("audit_chain_heads")}
            {TenantWall("audit_chain_heads")}
            GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO {App};

            -- AUD-2, AUD-3, TEN-4: audit rows are still never updated, and deleted only by the system
            -- role, which is reached only through the retention and purge functions below.
            CREATE FUNCTION refuse_audit_delete() RETURNS trigger
                LANGUAGE plpgsql SET search_path = bulwark, pg_temp AS
            $fn$
            BEGIN
                IF current_user <> '{SystemRole}' THEN
                    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
            $fn$;
            DROP TRIGGER audit_log_append_only ON audit_log;
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
            CREATE TRIGGER audit_log_delete_by_system BEFORE DELETE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_delete();

            -- The purge and retention functions' owner, on the tables they empty.
            {SystemPolicies("job_logs", "job_variables", "users", "locks", "audit_log", "audit_chain_heads")}
            GRANT SELECT, DELETE ON tenants, api_keys, templates, jobs, attempts, revocations,
                job_logs, job_variables, users, locks, audit_log TO {SystemRole};
            GRANT SELECT, INSERT, UPDATE, DELETE ON audit_chain_heads TO {SystemRole};

            -- AUD-2: the system chain's head, locked (made on first use) for an append without tenant.
            CREATE FUNCTION lock_system_chain() RETURNS TABLE (last_seq bigint, last_hash bytea)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                INSERT INTO audit_chain_heads AS h (chain, tenant_id, last_seq, last_hash)
                VALUES ('{AuditChain.SystemChain}', NULL, 0, decode(repeat('00', 32), 'hex'))
                ON CONFLICT (chain) DO UPDATE SET last_seq = h.last_seq
                RETURNING h.last_seq, h.last_hash
            $fn$;

            -- Moves the system head to the entry just appended, which must exist and follow it.
            CREATE FUNCTION advance_system_chain(p_seq bigint, p_hash bytea) RETURNS void
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            BEGIN
                UPDATE audit_chain_heads h SET last_seq = p_seq, last_hash = p_hash
                WHERE h.chain = '{AuditChain.SystemChain}' AND h.last_seq = p_seq - 1
                  AND EXISTS (SELECT 1 FROM audit_log a
                              WHERE a.chain = '{AuditChain.SystemChain}' AND a.chain_seq = p_seq AND a.hash = p_hash);
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'the system audit chain did not advance to %', p_seq USING ERRCODE = 'check_violation';
                END IF;
            END
            $fn$;

            -- Operator (verify, export): every chain in store order, a page at a time.
            CREATE FUNCTION read_audit_chains(p_after bigint, p_limit integer, p_chain text, p_from bigint, p_to bigint)
            RETURNS SETOF audit_log
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM audit_log a
                WHERE a.seq > p_after AND (p_chain IS NULL OR a.chain = p_chain)
                  AND (p_from IS NULL OR a.at >= p_from) AND (p_to IS NULL OR a.at < p_to)
                ORDER BY a.seq LIMIT p_limit
            $fn$;

            CREATE FUNCTION list_audit_chain_heads() RETURNS SETOF audit_chain_heads
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM audit_chain_heads ORDER BY chain
            $fn$;

            -- AUD-3: how far a chain may be cut: through the entry before the first one written at
            -- or after p_before (never an entry while an older one stays), with that entry's hash.
            CREATE FUNCTION audit_cut(p_chain text, p_before bigint)
            RETURNS TABLE (through bigint, through_hash bytea, covered bigint)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH bound AS (
                    SELECT coalesce(min(a.chain_seq) FILTER (WHERE a.at >= p_before) - 1, max(a.chain_seq)) AS through
                    FROM audit_log a WHERE a.chain = p_chain
                )
                SELECT b.through,
                       (SELECT a.hash FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq = b.through),
                       (SELECT count(*) FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq <= b.through)
                FROM bound b
            $fn$;

            -- AUD-3: removes the start of a chain, only behind the checkpoint just appended to it.
            CREATE FUNCTION remove_audit_through(p_chain text, p_through bigint) RETURNS bigint
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_removed bigint;
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM audit_log a
                               WHERE a.chain = p_chain AND a.action = '{AuditCheckpoint.Action}'
                                 AND a.chain_seq = (SELECT h.last_seq FROM audit_chain_heads h WHERE h.chain = p_chain)
                                 AND (a.detail_json::jsonb ->> 'through_chain_seq')::bigint = p_through) THEN
                    RAISE EXCEPTION 'no checkpoint records the removal of % through %', p_chain, p_through
                        USING ERRCODE = 'check_violation';
                END IF;
                DELETE FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq <= p_through;
                GET DIAGNOSTICS v_removed = ROW_COUNT;
                RETURN v_removed;
            END
            $fn$;

            -- AUD-3: entries from before the chain existed have no chain to checkpoint.
            CREATE FUNCTION remove_unsealed_audit(p_before bigint) RETURNS bigint
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_removed bigint;
            BEGIN
                DELETE FROM audit_log a WHERE a.chain = '{AuditChain.UnsealedChain}' AND a.at < p_before;
                GET DIAGNOSTICS v_removed = ROW_COUNT;
                RETURN v_removed;
            END
            $fn$;

            -- AUD-3: finished jobs past retention, with their attempts, logs and variables.
            CREATE FUNCTION remove_finished_jobs(p_before bigint) RETURNS bigint
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH expired AS (
                    SELECT j.tenant_id, j.id FROM jobs j
                    WHERE j.state IN ('succeeded', 'failed', 'cancelled', 'dead') AND j.finished_at < p_before
                ), logs AS (
                    DELETE FROM job_logs x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), variables AS (
                    DELETE FROM job_variables x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), attempts_gone AS (
                    DELETE FROM attempts x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), jobs_gone AS (
                    DELETE FROM jobs x USING expired e WHERE x.tenant_id = e.tenant_id AND x.id = e.id RETURNING 1
                )
                SELECT count(*) FROM jobs_gone
            $fn$;

            -- TEN-4: the right to deletion. Every row of the tenant, children before parents; the
            -- caller records the purge (counts only) on the system chain in the same transaction.
            {PurgeTenant("CREATE", "job_logs", "job_variables", "attempts", "jobs", "locks", "users", "api_keys", "revocations", "templates")}
            """),
        new(5, "claim by id array",
            """
            SET LOCAL search_path = bulwark, pg_temp;
            -- Measured (bench postgres): as a join, "UPDATE jobs … FROM picked" was planned with a
            -- guessed row count and became a hash join over every job, finished ones included
            -- (5,000 rows read to claim 8). An id array keeps it to primary-key lookups.
            CREATE OR REPLACE FUNCTION claim_jobs(p_worker text, p_max integer, p_now bigint, p_expires bigint)
            RETURNS TABLE (
                id text, tenant_id text, template_id text, template_key text, template_version integer,
                state text, attempts integer, max_attempts integer, priority integer, inputs_json text,
                result_json text, error text, error_code text, idempotency_key text, run_at bigint,
                created_at bigint, started_at bigint, finished_at bigint, cancel_requested boolean,
                lease_token text, lease_expires_at bigint, worker_id text, actor text,
                template_tenant_id text, template_created_at bigint, template_definition_json text)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH picked AS (
                    SELECT j.id FROM jobs j
                    WHERE j.state IN ('queued', 'scheduled', 'retrying') AND NOT j.cancel_requested
                      AND j.run_at <= p_now
                      AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = j.tenant_id AND t.suspended)
                    ORDER BY j.priority DESC, j.run_at, j.id
                    LIMIT p_max
                    FOR UPDATE OF j SKIP LOCKED
                ), claimed AS (
                    UPDATE jobs j SET state = 'running', attempts = j.attempts + 1,
                        lease_token = replace(gen_random_uuid()::text, '-', ''),
                        lease_expires_at = p_expires, worker_id = p_worker, started_at = coalesce(j.started_at, p_now)
                    WHERE j.id = ANY (ARRAY(SELECT p.id FROM picked p))
                    RETURNING j.*
                ), opened AS (
                    INSERT INTO attempts (tenant_id, job_id, attempt, worker_id, started_at)
                    SELECT c.tenant_id, c.id, c.attempts, p_worker, p_now FROM claimed c
                )
                SELECT c.id, c.tenant_id, c.template_id, c.template_key, c.template_version,
                    c.state, c.attempts, c.max_attempts, c.priority, c.inputs_json,
                    c.result_json, c.error, c.error_code, c.idempotency_key, c.run_at,
                    c.created_at, c.started_at, c.finished_at, c.cancel_requested,
                    c.lease_token, c.lease_expires_at, c.worker_id, c.actor,
                    t.tenant_id, t.created_at, t.definition_json
                FROM claimed c JOIN templates t ON t.id = c.template_id
            $fn$;
            """),
        new(6, "audit cuts only of the acting chain",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;
            -- Found in review: these definer functions trusted the chain their caller named, so a
            -- tenant's transaction could read another chain's cut point. Retention calls each under
            -- the chain's own tenant (none for the system chain); now nothing else gets an answer.
            CREATE OR REPLACE FUNCTION audit_cut(p_chain text, p_before bigint)
            RETURNS TABLE (through bigint, through_hash bytea, covered bigint)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH bound AS (
                    SELECT coalesce(min(a.chain_seq) FILTER (WHERE a.at >= p_before) - 1, max(a.chain_seq)) AS through
                    FROM audit_log a WHERE a.chain = p_chain
                )
                SELECT b.through,
                       (SELECT a.hash FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq = b.through),
                       (SELECT count(*) FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq <= b.through)
                FROM bound b
                WHERE p_chain = coalesce({CurrentTenant}, '{AuditChain.SystemChain}')
            $fn$;

            CREATE OR REPLACE FUNCTION remove_audit_through(p_chain text, p_through bigint) RETURNS bigint
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_removed bigint;
            BEGIN
                IF p_chain IS DISTINCT FROM coalesce({CurrentTenant}, '{AuditChain.SystemChain}') THEN
                    RAISE EXCEPTION 'a chain is cut only by the transaction acting for it'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM audit_log a
                               WHERE a.chain = p_chain AND a.action = '{AuditCheckpoint.Action}'
                                 AND a.chain_seq = (SELECT h.last_seq FROM audit_chain_heads h WHERE h.chain = p_chain)
                                 AND (a.detail_json::jsonb ->> 'through_chain_seq')::bigint = p_through) THEN
                    RAISE EXCEPTION 'no checkpoint records the removal of % through %', p_chain, p_through
                        USING ERRCODE = 'check_violation';
                END IF;
                DELETE FROM audit_log a WHERE a.chain = p_chain AND a.chain_seq <= p_through;
                GET DIAGNOSTICS v_removed = ROW_COUNT;
                RETURN v_removed;
            END
            $fn$;
            """),
        new(7, "feature flags",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- FLAG-2: flag values shared by every node; configuration and these, the stricter wins.
            -- tenant_id NULL: node-wide, written by the operator through set_node_flag only; else the
            -- tenant's own value, behind the tenant wall. The unique key includes the tenant (RLS-14).
            CREATE TABLE flags (
                tenant_id  text    REFERENCES tenants (id) CHECK (tenant_id <> ''),
                name       text    NOT NULL CHECK (name <> ''),
                enabled    boolean NOT NULL,
                changed_by text    NOT NULL,
                changed_at bigint  NOT NULL,
                UNIQUE NULLS NOT DISTINCT (tenant_id, name)
            );
            {EnableAndForce("flags")}
            {TenantWall("flags")}
            GRANT SELECT, INSERT, UPDATE ON flags TO {App};
            -- read_flags, set_node_flag and (TEN-4) purge_tenant.
            {SystemPolicies("flags")}
            GRANT SELECT, INSERT, UPDATE, DELETE ON flags TO {SystemRole};

            -- FLAG-2: every node's flag state reads every value, node-wide and of all tenants.
            CREATE FUNCTION read_flags() RETURNS SETOF flags
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT * FROM flags ORDER BY tenant_id NULLS FIRST, name
            $fn$;

            -- FLAG-2: the operator's node-wide value (a row without tenant); returns the value it replaced.
            CREATE FUNCTION set_node_flag(p_name text, p_enabled boolean, p_changed_by text, p_changed_at bigint)
            RETURNS boolean
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
            DECLARE
                v_old boolean;
            BEGIN
                SELECT f.enabled INTO v_old FROM flags f WHERE f.tenant_id IS NULL AND f.name = p_name FOR UPDATE;
                INSERT INTO flags (tenant_id, name, enabled, changed_by, changed_at)
                VALUES (NULL, p_name, p_enabled, p_changed_by, p_changed_at)
                ON CONFLICT (tenant_id, name) DO UPDATE
                    SET enabled = excluded.enabled, changed_by = excluded.changed_by, changed_at = excluded.changed_at;
                RETURN v_old;
            END
            $fn$;
            """),
        new(8, "events and triggers",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- JOB-10: ingested events, kept for the retention window (AUD-3). depth counts the
            -- trigger hops that led to the event, so a trigger loop is cut (JOB-9).
            CREATE TABLE events (
                tenant_id    text    NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                id           text    NOT NULL,
                event_type   text    NOT NULL,
                trace_id     text,
                payload_json text    NOT NULL,
                depth        integer NOT NULL DEFAULT 0 CHECK (depth >= 0),
                received_at  bigint  NOT NULL,
                actor        text    NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX events_by_received_at ON events (received_at);

            -- JOB-9: cron and event triggers, named per tenant (RLS-14: the key includes the tenant).
            -- next_fire_at is the occurrence a cron trigger fires next (NULL: disabled, or an event
            -- trigger); a node fires it only through a conditional update from exactly that value.
            CREATE TABLE triggers (
                tenant_id       text   NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                name            text   NOT NULL,
                kind            text   NOT NULL CHECK (kind IN ('cron', 'event')),
                event_type      text,
                definition_json text   NOT NULL,
                next_fire_at    bigint,
                created_at      bigint NOT NULL,
                updated_at      bigint NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            CREATE INDEX triggers_due ON triggers (next_fire_at) WHERE next_fire_at IS NOT NULL;
            CREATE INDEX triggers_by_event_type ON triggers (tenant_id, event_type) WHERE kind = 'event';

            {EnableAndForce("events", "triggers")}
            {TenantWall("events", "triggers")}
            -- Events are appended and only retention removes them; a tenant deletes its own triggers.
            GRANT SELECT, INSERT ON events TO {App};
            GRANT SELECT, INSERT, UPDATE, DELETE ON triggers TO {App};
            -- The scheduler's due list and retention (below), and purge_tenant (TEN-4).
            {SystemPolicies("events", "triggers")}
            GRANT SELECT, DELETE ON events, triggers TO {SystemRole};

            -- JOB-9: the scheduler on every node looks at every active tenant's due cron triggers,
            -- then fires each under its own tenant, through the conditional update of the tenant wall.
            CREATE FUNCTION due_triggers(p_now bigint, p_max integer)
            RETURNS TABLE (tenant_id text, tenant_name text, name text, next_fire_at bigint)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT t.tenant_id, n.name, t.name, t.next_fire_at
                FROM triggers t JOIN tenants n ON n.id = t.tenant_id
                WHERE t.next_fire_at IS NOT NULL AND t.next_fire_at <= p_now AND NOT n.suspended
                ORDER BY t.next_fire_at, t.tenant_id, t.name
                LIMIT p_max
            $fn$;

            -- AUD-3: every tenant's events past the retention window.
            CREATE FUNCTION remove_expired_events(p_before bigint) RETURNS bigint
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH gone AS (DELETE FROM events e WHERE e.received_at < p_before RETURNING 1)
                SELECT count(*) FROM gone
            $fn$;
            """),
        new(9, "manifests and replay bundles",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- JOB-11: one manifest per finished job, the JSON the API serves as stored. No reference
            -- to jobs: each keeps its own retention window (AUD-3), so neither sweep waits for the other.
            CREATE TABLE manifests (
                job_id        text    PRIMARY KEY,
                tenant_id     text    NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                attempt       integer NOT NULL CHECK (attempt >= 1),
                created_at    bigint  NOT NULL,
                manifest_json text    NOT NULL
            );
            CREATE INDEX manifests_by_created ON manifests (created_at);

            -- What a replay needs; secret names only, never a value (SEC-1).
            CREATE TABLE replay_bundles (
                job_id      text    PRIMARY KEY,
                tenant_id   text    NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                created_at  bigint  NOT NULL,
                bundle_json text    NOT NULL
            );
            CREATE INDEX replay_bundles_by_created ON replay_bundles (created_at);

            {EnableAndForce("manifests", "replay_bundles")}
            {TenantWall("manifests", "replay_bundles")}
            -- Written once, never changed by the application; only retention and purge delete.
            GRANT SELECT, INSERT ON manifests, replay_bundles TO {App};
            {SystemPolicies("manifests", "replay_bundles")}
            GRANT SELECT, DELETE ON manifests, replay_bundles TO {SystemRole};

            -- JOB-11: the operator replays a job by its id alone, before its tenant is known.
            CREATE FUNCTION find_replay_bundle(p_job_id text)
            RETURNS TABLE (tenant_id text, job_id text, created_at bigint, bundle_json text)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT b.tenant_id, b.job_id, b.created_at, b.bundle_json FROM replay_bundles b WHERE b.job_id = p_job_id
            $fn$;

            -- AUD-3: every tenant's manifests and bundles past their windows.
            CREATE FUNCTION remove_expired_manifests(p_manifests_before bigint, p_bundles_before bigint)
            RETURNS TABLE (manifests_removed bigint, bundles_removed bigint)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH m AS (
                    DELETE FROM manifests x WHERE x.created_at < p_manifests_before RETURNING 1
                ), b AS (
                    DELETE FROM replay_bundles x WHERE x.created_at < p_bundles_before RETURNING 1
                )
                SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM b)
            $fn$;
            """),
        new(10, "rate-limit windows",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- NET-3: per identity and bucket, the counts of the current and the previous fixed window
            -- (admitted requests only). One row each, rolled forward in place: nothing to sweep, and
            -- the application never deletes.
            CREATE TABLE rate_windows (
                tenant_id     text    NOT NULL REFERENCES tenants (id) CHECK (tenant_id <> ''),
                subject       text    NOT NULL,
                bucket        text    NOT NULL,
                window_start  bigint  NOT NULL,
                hits          bigint  NOT NULL CHECK (hits >= 0),
                previous_hits bigint  NOT NULL CHECK (previous_hits >= 0),
                last_admitted boolean NOT NULL,
                PRIMARY KEY (tenant_id, subject, bucket)
            );
            {EnableAndForce("rate_windows")}
            {TenantWall("rate_windows")}
            GRANT SELECT, INSERT, UPDATE ON rate_windows TO {App};
            -- TEN-4: purge_tenant (owned by the system role) empties it.
            {SystemPolicies("rate_windows")}
            GRANT SELECT, DELETE ON rate_windows TO {SystemRole};
            """),
        new(11, "purge covers flags, events, triggers, manifests, replay bundles and rate windows",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- TEN-4: step 4's purge, with the tables of steps 7 to 10. None of them has children, so
            -- they go before the tenant row like the others; the order is otherwise unchanged.
            {PurgeTenant("CREATE OR REPLACE", "job_logs", "job_variables", "attempts", "manifests", "replay_bundles", "jobs", "locks", "users", "api_keys", "revocations", "events", "triggers", "templates", "flags", "rate_windows")}
            """),
        new(12, "retention per tenant",
            """
            SET LOCAL search_path = bulwark, pg_temp;

            -- AUD-3: retention per data type and tenant. Each sweep function takes the node-wide
            -- cutoff and, pairwise, the tenants with a window of their own and their cutoffs; a row
            -- goes when it is older than its tenant's cutoff, else the node-wide one.
            DROP FUNCTION remove_finished_jobs(bigint);
            CREATE FUNCTION remove_finished_jobs(p_before bigint, p_tenants text[], p_befores bigint[]) RETURNS bigint
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH own AS (
                    SELECT o.tenant_id, o.before FROM unnest(p_tenants, p_befores) AS o (tenant_id, before)
                ), expired AS (
                    SELECT j.tenant_id, j.id FROM jobs j LEFT JOIN own ON own.tenant_id = j.tenant_id
                    WHERE j.state IN ('succeeded', 'failed', 'cancelled', 'dead')
                      AND j.finished_at < coalesce(own.before, p_before)
                ), logs AS (
                    DELETE FROM job_logs x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), variables AS (
                    DELETE FROM job_variables x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), attempts_gone AS (
                    DELETE FROM attempts x USING expired e WHERE x.tenant_id = e.tenant_id AND x.job_id = e.id
                ), jobs_gone AS (
                    DELETE FROM jobs x USING expired e WHERE x.tenant_id = e.tenant_id AND x.id = e.id RETURNING 1
                )
                SELECT count(*) FROM jobs_gone
            $fn$;

            DROP FUNCTION remove_expired_events(bigint);
            CREATE FUNCTION remove_expired_events(p_before bigint, p_tenants text[], p_befores bigint[]) RETURNS bigint
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH own AS (
                    SELECT o.tenant_id, o.before FROM unnest(p_tenants, p_befores) AS o (tenant_id, before)
                ), gone AS (
                    DELETE FROM events e WHERE e.received_at < coalesce(
                        (SELECT own.before FROM own WHERE own.tenant_id = e.tenant_id), p_before)
                    RETURNING 1
                )
                SELECT count(*) FROM gone
            $fn$;

            DROP FUNCTION remove_expired_manifests(bigint, bigint);
            CREATE FUNCTION remove_expired_manifests(
                p_manifests_before bigint, p_manifest_tenants text[], p_manifest_befores bigint[],
                p_bundles_before bigint, p_bundle_tenants text[], p_bundle_befores bigint[])
            RETURNS TABLE (manifests_removed bigint, bundles_removed bigint)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                WITH own_manifests AS (
                    SELECT o.tenant_id, o.before FROM unnest(p_manifest_tenants, p_manifest_befores) AS o (tenant_id, before)
                ), own_bundles AS (
                    SELECT o.tenant_id, o.before FROM unnest(p_bundle_tenants, p_bundle_befores) AS o (tenant_id, before)
                ), m AS (
                    DELETE FROM manifests x WHERE x.created_at < coalesce(
                        (SELECT o.before FROM own_manifests o WHERE o.tenant_id = x.tenant_id), p_manifests_before)
                    RETURNING 1
                ), b AS (
                    DELETE FROM replay_bundles x WHERE x.created_at < coalesce(
                        (SELECT o.before FROM own_bundles o WHERE o.tenant_id = x.tenant_id), p_bundles_before)
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM b)
            $fn$;
            """),
        new(13, "queue depth for the metrics",
            """
            SET LOCAL search_path = bulwark, pg_temp;

            -- OPS-2: the queue-depth gauge counts every tenant's waiting and running jobs. Totals per
            -- state only: no tenant id leaves the function (TEN-1).
            CREATE FUNCTION queue_depth() RETURNS TABLE (state text, jobs bigint)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
            $fn$
                SELECT j.state, count(*) FROM jobs j
                WHERE j.state IN ('queued', 'scheduled', 'retrying', 'running')
                GROUP BY j.state
            $fn$;
            """),
        new(14, "retired templates",
            $"""
            SET LOCAL search_path = bulwark, pg_temp;

            -- JOB-1: DELETE /v1/templates/<key> marks every live version of the tenant's key retired
            -- (unix ms). A retired version is neither listed nor started anew; the row stays, so
            -- queued jobs and replays keep the version they carry. A later PUT adds a live version.
            ALTER TABLE templates ADD COLUMN retired_at bigint;

            -- RLS-16: the application may update this one column and nothing else of a template,
            -- and only on its own tenant's rows (TEN-1): global rows stay the operator's.
            GRANT UPDATE (retired_at) ON templates TO {App};
            CREATE POLICY tenant_retire ON templates FOR UPDATE TO {App}
                USING (tenant_id = {CurrentTenant}) WITH CHECK (tenant_id = {CurrentTenant});
            """),
    ];

    /// <summary>
    /// TEN-4: the purge function over <paramref name="tables"/> (in an order the foreign keys
    /// allow), then the tenant's audit chain (its entries and head) and the tenant row; it returns
    /// the count removed per table. Step 4 creates it, later steps replace it as tables are added.
    /// </summary>
    private static string PurgeTenant(string create, params string[] tables) =>
        $$"""
        {{create}} FUNCTION purge_tenant(p_name text) RETURNS TABLE (tenant_id text, table_name text, removed bigint)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = bulwark, pg_temp AS
        $fn$
        DECLARE
            v_id text;
            v_table text;
            v_removed bigint;
        BEGIN
            SELECT t.id INTO v_id FROM tenants t WHERE t.name = p_name FOR UPDATE;
            IF v_id IS NULL THEN
                RETURN;
            END IF;
            FOREACH v_table IN ARRAY ARRAY[{{string.Join(", ", tables.Select(t => $"'{t}'"))}}, 'audit_log', 'audit_chain_heads'] LOOP
                IF v_table IN ('audit_log', 'audit_chain_heads') THEN
                    EXECUTE format('DELETE FROM %I x WHERE x.tenant_id = $1 OR x.chain = $1', v_table) USING v_id;
                ELSE
                    EXECUTE format('DELETE FROM %I x WHERE x.tenant_id = $1', v_table) USING v_id;
                END IF;
                GET DIAGNOSTICS v_removed = ROW_COUNT;
                tenant_id := v_id; table_name := v_table; removed := v_removed;
                RETURN NEXT;
            END LOOP;
            DELETE FROM tenants t WHERE t.id = v_id;
            GET DIAGNOSTICS v_removed = ROW_COUNT;
            tenant_id := v_id; table_name := 'tenants'; removed := v_removed;
            RETURN NEXT;
        END
        $fn$;
        """;

    private static string EnableAndForce(params string[] tables) =>
        string.Join(
            "\n",
            tables.Select(t => $"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;"));

    private static string TenantWall(params string[] tables) =>
        string.Join(
            "\n",
            tables.Select(t =>
                $"CREATE POLICY tenant_wall ON {t} TO {App} USING (tenant_id = {CurrentTenant}) WITH CHECK (tenant_id = {CurrentTenant});"));

    private static string SystemPolicies(params string[] tables) =>
        string.Join(
            "\n",
            tables.Select(t => $"CREATE POLICY system_all ON {t} TO {SystemRole} USING (true) WITH CHECK (true);"));
}
