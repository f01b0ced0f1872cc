namespace Bulwark.Storage.Sqlite.Schema;

/// <summary>
/// The schema, as an ordered list of steps. A step is never edited once released: a change is a
/// new step, so every existing database reaches the same shape.
/// </summary>
internal static class SqliteMigrations
{
    public const string CreateVersionTable =
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT;
        """;

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "tenants and api keys",
            """
            CREATE TABLE tenants (
                id         TEXT    PRIMARY KEY,
                name       TEXT    NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                suspended  INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1))
            ) STRICT;

            -- AUTH-2: only the SHA-256 of the secret is kept; the plaintext is shown once and gone.
            CREATE TABLE api_keys (
                id          TEXT    PRIMARY KEY,
                tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
                name        TEXT    NOT NULL,
                scopes      TEXT    NOT NULL,
                secret_hash BLOB    NOT NULL,
                created_at  INTEGER NOT NULL,
                expires_at  INTEGER,
                revoked_at  INTEGER
            ) STRICT;
            CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);
            """),

        new(2, "templates",
            """
            -- tenant_id NULL: a global template every tenant may use.
            CREATE TABLE templates (
                id              TEXT    PRIMARY KEY,
                tenant_id       TEXT    REFERENCES tenants (id),
                key             TEXT    NOT NULL,
                version         INTEGER NOT NULL CHECK (version >= 1),
                definition_json TEXT    NOT NULL,
                created_at      INTEGER NOT NULL
            ) STRICT;
            -- NULLs are distinct in a plain UNIQUE, so the global owner is folded to '' to make
            -- (owner, key, version) unique for global templates too.
            CREATE UNIQUE INDEX templates_owner_key_version ON templates (coalesce(tenant_id, ''), key, version);
            """),

        new(3, "jobs and attempts",
            """
            CREATE TABLE jobs (
                id               TEXT    PRIMARY KEY,
                tenant_id        TEXT    NOT NULL REFERENCES tenants (id),
                template_id      TEXT    NOT NULL REFERENCES templates (id),
                template_key     TEXT    NOT NULL,
                template_version INTEGER NOT NULL,
                state            TEXT    NOT NULL CHECK (state IN
                    ('scheduled', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'dead')),
                attempts         INTEGER NOT NULL DEFAULT 0,
                max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
                priority         INTEGER NOT NULL DEFAULT 0,
                inputs_json      TEXT    NOT NULL,
                result_json      TEXT,
                error            TEXT,
                error_code       TEXT,
                idempotency_key  TEXT,
                run_at           INTEGER NOT NULL,
                created_at       INTEGER NOT NULL,
                started_at       INTEGER,
                finished_at      INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                lease_token      TEXT,
                lease_expires_at INTEGER,
                worker_id        TEXT,
                actor            TEXT
            ) STRICT;

            -- JOB-5: an idempotency key names one job per tenant; jobs without a key are unconstrained.
            CREATE UNIQUE INDEX jobs_tenant_idempotency ON jobs (tenant_id, idempotency_key)
                WHERE idempotency_key IS NOT NULL;

            -- The claim query walks this index in its ORDER BY order and stops after LIMIT rows; the
            -- partial WHERE keeps finished and running jobs (the bulk of the table) out of it.
            CREATE INDEX jobs_claimable ON jobs (priority DESC, run_at, id)
                WHERE state IN ('queued', 'scheduled', 'retrying') AND cancel_requested = 0;

            -- The reaper looks only at running jobs by lease expiry.
            CREATE INDEX jobs_running_leases ON jobs (lease_expires_at) WHERE state = 'running';

            -- Tenant listing, newest first (ids are time-ordered).
            CREATE INDEX jobs_by_tenant ON jobs (tenant_id, id);

            CREATE TABLE attempts (
                job_id      TEXT    NOT NULL REFERENCES jobs (id),
                attempt     INTEGER NOT NULL,
                tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
                worker_id   TEXT    NOT NULL,
                started_at  INTEGER NOT NULL,
                finished_at INTEGER,
                outcome     TEXT,
                exit_code   INTEGER,
                error       TEXT,
                error_code  TEXT,
                PRIMARY KEY (job_id, attempt)
            ) STRICT;

            CREATE TABLE job_logs (
                id        INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT    NOT NULL REFERENCES tenants (id),
                job_id    TEXT    NOT NULL REFERENCES jobs (id),
                attempt   INTEGER NOT NULL,
                stream    TEXT    NOT NULL CHECK (stream IN ('stdout', 'stderr')),
                text      TEXT    NOT NULL,
                at        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX job_logs_by_job ON job_logs (job_id, id);
            """),

        new(4, "append-only audit log",
            """
            CREATE TABLE audit_log (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                at          INTEGER NOT NULL,
                tenant_id   TEXT,
                actor       TEXT    NOT NULL,
                action      TEXT    NOT NULL,
                target      TEXT,
                outcome     TEXT    NOT NULL,
                request_id  TEXT,
                trace_id    TEXT,
                latency_ms  INTEGER,
                dry_run     INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
                detail_json TEXT
            ) STRICT;
            CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, seq);

            -- AUD-2: entries are appended, never changed. The triggers make that a property of the
            -- file, not of our code: a stray UPDATE or DELETE from any connection or tool fails.
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only');
            END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only');
            END;
            """),

        new(5, "runtime api: job variables, runtime log stream",
            """
            -- JOB-7: a job's variables, set and read by its own code through the runtime API.
            -- tenant_id is carried like on every row (TEN-1) though the key is the job.
            CREATE TABLE job_variables (
                tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
                job_id     TEXT    NOT NULL REFERENCES jobs (id),
                name       TEXT    NOT NULL,
                value_json TEXT    NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (job_id, name)
            ) STRICT;

            -- Lines posted through the runtime API are a third log stream. SQLite cannot change a
            -- CHECK in place, so the table is rebuilt with its rows (ids kept, so order is kept).
            CREATE TABLE job_logs_v5 (
                id        INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT    NOT NULL REFERENCES tenants (id),
                job_id    TEXT    NOT NULL REFERENCES jobs (id),
                attempt   INTEGER NOT NULL,
                stream    TEXT    NOT NULL CHECK (stream IN ('stdout', 'stderr', 'runtime')),
                text      TEXT    NOT NULL,
                at        INTEGER NOT NULL
            ) STRICT;
            INSERT INTO job_logs_v5 (id, tenant_id, job_id, attempt, stream, text, at)
                SELECT id, tenant_id, job_id, attempt, stream, text, at FROM job_logs;
            DROP TABLE job_logs;
            ALTER TABLE job_logs_v5 RENAME TO job_logs;
            CREATE INDEX job_logs_by_job ON job_logs (job_id, id);
            """),

        new(6, "users provisioned from JWTs",
            """
            -- AUTH-6: the first valid JWT of an unknown subject creates its row; roles are
            -- space-separated as the newest token named them.
            CREATE TABLE users (
                tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
                subject    TEXT    NOT NULL,
                email      TEXT,
                roles      TEXT    NOT NULL,
                first_seen INTEGER NOT NULL,
                last_seen  INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, subject)
            ) STRICT;
            """),

        new(7, "revocations",
            """
            -- AUTH-5: revoked token ids, subjects, keys and tenants. Rows are appended and outlived
            -- (expires_at), never updated, so every node's cache converges on the same set.
            -- tenant_id is NULL only for a jti the operator revoked in every tenant.
            CREATE TABLE revocations (
                id         TEXT    PRIMARY KEY,
                kind       TEXT    NOT NULL CHECK (kind IN ('jti', 'subject', 'key', 'tenant')),
                tenant_id  TEXT    REFERENCES tenants (id),
                value      TEXT    NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                reason     TEXT,
                actor      TEXT    NOT NULL,
                CHECK (tenant_id IS NOT NULL OR kind = 'jti')
            ) STRICT;
            CREATE INDEX revocations_by_expiry ON revocations (expires_at);

            CREATE TRIGGER revocations_no_update BEFORE UPDATE ON revocations
            BEGIN
                SELECT RAISE(ABORT, 'revocations are append-only');
            END;
            """),

        new(8, "named locks with fencing numbers",
            """
            -- AUTHZ-6: per tenant; the owner is the job holding it (NULL once released). A row is
            -- never deleted, so the fence only grows and a superseded number never comes back.
            CREATE TABLE locks (
                tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
                name       TEXT    NOT NULL,
                owner      TEXT,
                fence      INTEGER NOT NULL CHECK (fence >= 1),
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, name)
            ) STRICT;
            """),

        new(9, "audit hash chain, chain heads, deletion permit",
            """
            -- AUD-2: each entry sealed into its chain (the tenant's id, or 'system'). Entries written
            -- before this step carry no seal (the key is not in the file): chain 'unsealed'.
            ALTER TABLE audit_log ADD COLUMN chain     TEXT    NOT NULL DEFAULT 'unsealed';
            ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE audit_log ADD COLUMN prev_hash BLOB    NOT NULL DEFAULT x'';
            ALTER TABLE audit_log ADD COLUMN hash      BLOB    NOT NULL DEFAULT x'';
            CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain, chain_seq) WHERE chain <> 'unsealed';
            CREATE INDEX audit_log_at ON audit_log (at);

            -- The last entry of each chain: the next append's previous hash, and verify's check that
            -- nothing was cut from a chain's end.
            CREATE TABLE audit_chain_heads (
                chain     TEXT    PRIMARY KEY,
                tenant_id TEXT    REFERENCES tenants (id),
                last_seq  INTEGER NOT NULL CHECK (last_seq >= 1),
                last_hash BLOB    NOT NULL,
                CHECK ((tenant_id IS NULL AND chain = 'system') OR chain = tenant_id)
            ) STRICT;

            -- AUD-3, TEN-4: retention and purge delete audit rows, nothing else may. Their transaction
            -- puts the one row here, deletes, and removes it again before committing.
            CREATE TABLE audit_delete_permit (
                id INTEGER PRIMARY KEY CHECK (id = 1)
            ) STRICT;
            DROP TRIGGER audit_log_no_delete;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            WHEN NOT EXISTS (SELECT 1 FROM audit_delete_permit)
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only');
            END;
            """),
        new(10, "feature flags",
            """
            -- FLAG-2: flag values in the store, shared by every node; configuration and these, the
            -- stricter wins. tenant_id NULL: node-wide (operator only); else that tenant's own value.
            CREATE TABLE flags (
                tenant_id  TEXT    REFERENCES tenants (id) CHECK (tenant_id <> ''),
                name       TEXT    NOT NULL CHECK (name <> ''),
                enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                changed_by TEXT    NOT NULL,
                changed_at INTEGER NOT NULL
            ) STRICT;
            -- One value per scope and name; NULLs are distinct in a plain unique index, so the
            -- node-wide scope is spelled '' here.
            CREATE UNIQUE INDEX flags_scope_name ON flags (ifnull(tenant_id, ''), name);
            """),

        new(11, "events and triggers",
            """
            -- JOB-10: ingested events, kept for the retention window (AUD-3). depth counts the
            -- trigger hops that led to the event, so a trigger loop is cut (JOB-9).
            CREATE TABLE events (
                tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
                id           TEXT    NOT NULL,
                event_type   TEXT    NOT NULL,
                trace_id     TEXT,
                payload_json TEXT    NOT NULL,
                depth        INTEGER NOT NULL DEFAULT 0 CHECK (depth >= 0),
                received_at  INTEGER NOT NULL,
                actor        TEXT    NOT NULL,
                PRIMARY KEY (tenant_id, id)
            ) STRICT;
            CREATE INDEX events_by_received_at ON events (received_at);

            -- JOB-9: cron and event triggers, named per tenant. next_fire_at is the occurrence a
            -- cron trigger fires next (NULL: disabled, or an event trigger); the scheduler fires it
            -- only through a conditional update from exactly that value, so one node fires it.
            CREATE TABLE triggers (
                tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
                name            TEXT    NOT NULL,
                kind            TEXT    NOT NULL CHECK (kind IN ('cron', 'event')),
                event_type      TEXT,
                definition_json TEXT    NOT NULL,
                next_fire_at    INTEGER,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, name)
            ) STRICT;
            CREATE INDEX triggers_due ON triggers (next_fire_at) WHERE next_fire_at IS NOT NULL;
            CREATE INDEX triggers_by_event_type ON triggers (tenant_id, event_type) WHERE kind = 'event';
            """),

        new(12, "manifests and replay bundles",
            """
            -- JOB-11: one manifest per finished job, the JSON the API serves as stored. No reference
            -- to jobs: each keeps its own retention window (AUD-3: jobs and manifests 90 days,
            -- bundles 30), so neither sweep waits for the other.
            CREATE TABLE manifests (
                job_id        TEXT    PRIMARY KEY,
                tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
                attempt       INTEGER NOT NULL CHECK (attempt >= 1),
                created_at    INTEGER NOT NULL,
                manifest_json TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX manifests_by_created ON manifests (created_at);

            -- What a replay needs; secret names only, never a value (SEC-1).
            CREATE TABLE replay_bundles (
                job_id      TEXT    PRIMARY KEY,
                tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
                created_at  INTEGER NOT NULL,
                bundle_json TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX replay_bundles_by_created ON replay_bundles (created_at);
            """),

        new(13, "rate-limit windows",
            """
            -- NET-3: per identity and bucket, the counts of the current and the previous fixed window
            -- (admitted requests only). One row each, rolled forward in place: nothing to sweep.
            CREATE TABLE rate_windows (
                tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
                subject       TEXT    NOT NULL,
                bucket        TEXT    NOT NULL,
                window_start  INTEGER NOT NULL,
                hits          INTEGER NOT NULL CHECK (hits >= 0),
                previous_hits INTEGER NOT NULL CHECK (previous_hits >= 0),
                last_admitted INTEGER NOT NULL CHECK (last_admitted IN (0, 1)),
                PRIMARY KEY (tenant_id, subject, bucket)
            ) STRICT;
            """),

        new(14, "retired templates",
            """
            -- JOB-1: DELETE /v1/templates/{key} marks every live version of the tenant's key retired
            -- (unix ms). A retired version is neither listed nor started anew; the row stays, so
            -- queued jobs and replays keep the version they carry. A later PUT adds a live version.
            ALTER TABLE templates ADD COLUMN retired_at INTEGER;
            """),
    ];
}
