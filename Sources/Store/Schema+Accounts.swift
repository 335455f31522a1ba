/// The tables of accounts, API tokens, browser sessions and the audit trail (migrations v9 and v10).
extension Schema {
    /// v9: who may use Annulus. `accounts` holds each person or integration with a role and a bcrypt password hash;
    /// names are unique ignoring case, stored lower-case, and never deleted or renamed (a signature names its
    /// account forever: disable an account instead). `api_tokens` holds the SHA-256 of each integration token
    /// (the token itself is shown once and never stored); `sessions` holds the SHA-256 of each browser session's
    /// cookie value, so sessions survive a restart of the server and a stolen database holds no usable cookie.
    static let accounts = """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE
                CHECK (length(name) BETWEEN 1 AND 64 AND name COLLATE BINARY = lower(name)),
            display_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('reader', 'clinician', 'coordinator', 'integrator', 'admin')),
            password_hash TEXT NOT NULL CHECK (substr(password_hash, 1, 4) IN ('$2a$', '$2b$', '$2y$')),
            disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            password_changed_at TEXT NOT NULL
        ) STRICT;

        CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
        BEGIN
            SELECT RAISE(ABORT, 'accounts are never deleted (signatures name them): disable the account instead');
        END;

        CREATE TRIGGER accounts_no_rename BEFORE UPDATE OF name ON accounts WHEN NEW.name <> OLD.name
        BEGIN
            SELECT RAISE(ABORT, 'accounts are never renamed (signatures name them): add a new account instead');
        END;

        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT,
            last_used_at TEXT
        ) STRICT;
        CREATE INDEX api_tokens_by_account ON api_tokens(account_id);

        CREATE TABLE sessions (
            id_sha256 TEXT NOT NULL PRIMARY KEY CHECK (length(id_sha256) = 64),
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            client_address TEXT
        ) STRICT;
        CREATE INDEX sessions_by_account ON sessions(account_id);
        CREATE INDEX sessions_by_expiry ON sessions(expires_at);
        """

    /// v10: the audit trail, append-only like the annotation history: one row per request that reads or changes
    /// patient data or accounts (who, what, which resources by UID or id, from where, and how it ended). Patient
    /// names and IDs are never written here. UPDATE and DELETE are refused, and so is an insert that would replace
    /// an existing row (`INSERT OR REPLACE` deletes without firing DELETE triggers).
    static let auditLog = """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL CHECK (length(trim(actor)) > 0),
            action TEXT NOT NULL CHECK (length(trim(action)) > 0),
            resource_type TEXT,
            resource_ids TEXT NOT NULL DEFAULT '[]'
                CHECK (json_valid(resource_ids) AND json_type(resource_ids) = 'array'),
            client_address TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'forbidden', 'failed')),
            status_code INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX audit_log_by_time ON audit_log(at);
        CREATE INDEX audit_log_by_actor ON audit_log(actor, at);

        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: an audit row cannot be updated');
        END;

        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: an audit row cannot be deleted');
        END;

        CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
        WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only: an audit row cannot be replaced');
        END;
        """
}
