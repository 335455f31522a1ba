internal import GRDB

/// The versioned schema. Migrations are append-only too: never edit a registered migration, add a new one.
enum Schema {
    /// Identifiers of the registered migrations, in order.
    static let migrationIdentifiers = [
        "v1-study-index", "v2-annotation-versions", "v3-intake-versions", "v4-delivery-attempts",
        "v5-watch", "v6-watch-state", "v7-completion-outcome", "v8-series-region-level-overrides",
        "v9-accounts", "v10-audit-log", "v11-study-search", "v12-disc-labels",
        "v13-structured-reports",
    ]

    /// The migrator with every migration registered.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationIdentifiers[0]) { db in
            try db.execute(sql: studyIndex)
        }
        migrator.registerMigration(migrationIdentifiers[1]) { db in
            try db.execute(sql: annotationVersions)
        }
        migrator.registerMigration(migrationIdentifiers[2]) { db in
            try db.execute(sql: intakeVersions)
        }
        migrator.registerMigration(migrationIdentifiers[3]) { db in
            try db.execute(sql: deliveryAttempts)
        }
        migrator.registerMigration(migrationIdentifiers[4]) { db in
            try db.execute(sql: watch)
        }
        migrator.registerMigration(migrationIdentifiers[5]) { db in
            try db.execute(sql: watchState)
        }
        migrator.registerMigration(migrationIdentifiers[6]) { db in
            try db.execute(sql: completionOutcome)
        }
        migrator.registerMigration(migrationIdentifiers[7]) { db in
            try db.execute(sql: seriesRegionAndLevelOverrides)
        }
        migrator.registerMigration(migrationIdentifiers[8]) { db in try db.execute(sql: accounts) }
        migrator.registerMigration(migrationIdentifiers[9]) { db in try db.execute(sql: auditLog) }
        migrator.registerMigration(migrationIdentifiers[10]) { db in try db.execute(sql: studySearch) }
        migrator.registerMigration(migrationIdentifiers[11]) { db in try db.execute(sql: discLabels) }
        migrator.registerMigration(migrationIdentifiers[12]) { db in try db.execute(sql: structuredReports) }
        return migrator
    }

    /// v1: patients → studies → series → instances, filled by the header-only ingest.
    static let studyIndex = """
        CREATE TABLE patients (
            patient_id TEXT NOT NULL PRIMARY KEY,
            patient_name TEXT NOT NULL
        ) STRICT;

        CREATE TABLE studies (
            study_uid TEXT NOT NULL PRIMARY KEY CHECK (length(study_uid) > 0),
            patient_id TEXT NOT NULL REFERENCES patients(patient_id),
            study_date TEXT,
            study_time TEXT,
            accession_number TEXT,
            study_description TEXT
        ) STRICT;
        CREATE INDEX studies_by_patient ON studies(patient_id);
        CREATE INDEX studies_by_accession ON studies(accession_number);

        CREATE TABLE series (
            series_uid TEXT NOT NULL PRIMARY KEY CHECK (length(series_uid) > 0),
            study_uid TEXT NOT NULL REFERENCES studies(study_uid) ON DELETE CASCADE,
            modality TEXT,
            series_number INTEGER,
            series_description TEXT
        ) STRICT;
        CREATE INDEX series_by_study ON series(study_uid);

        CREATE TABLE instances (
            sop_instance_uid TEXT NOT NULL PRIMARY KEY CHECK (length(sop_instance_uid) > 0),
            sop_class_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL REFERENCES series(series_uid) ON DELETE CASCADE,
            instance_number INTEGER,
            image_rows INTEGER NOT NULL CHECK (image_rows >= 0),
            image_columns INTEGER NOT NULL CHECK (image_columns >= 0),
            frames INTEGER NOT NULL CHECK (frames >= 1),
            path TEXT NOT NULL,
            file_size INTEGER NOT NULL CHECK (file_size >= 0),
            content_sha256 TEXT NOT NULL CHECK (length(content_sha256) = 64),
            image_position TEXT CHECK (image_position IS NULL OR json_valid(image_position)),
            image_orientation TEXT CHECK (image_orientation IS NULL OR json_valid(image_orientation)),
            pixel_spacing TEXT CHECK (pixel_spacing IS NULL OR json_valid(pixel_spacing)),
            frame_geometry TEXT CHECK (frame_geometry IS NULL OR json_valid(frame_geometry)),
            indexed_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX instances_by_series ON instances(series_uid, instance_number);
        CREATE INDEX instances_by_path ON instances(path);
        """

    /// v2: the append-only annotation history. Triggers make UPDATE and DELETE fail, and refuse inserts that
    /// skip a version number or follow a retraction, whoever the writer is.
    static let annotationVersions = """
        CREATE TABLE annotation_versions (
            annotation_id TEXT NOT NULL CHECK (length(annotation_id) = 36 AND annotation_id = lower(annotation_id)),
            version INTEGER NOT NULL CHECK (version >= 1),
            study_uid TEXT NOT NULL CHECK (length(study_uid) > 0),
            series_uid TEXT,
            sop_instance_uid TEXT,
            frame INTEGER CHECK (frame IS NULL OR (frame >= 1 AND sop_instance_uid IS NOT NULL)),
            level TEXT NOT NULL,
            finding_kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'retracted')),
            author TEXT NOT NULL CHECK (length(trim(author)) > 0),
            reason TEXT,
            created_at TEXT NOT NULL,
            signed_by TEXT,
            signed_at TEXT,
            PRIMARY KEY (annotation_id, version),
            CHECK ((status = 'signed') = (signed_by IS NOT NULL AND signed_at IS NOT NULL)),
            CHECK (status <> 'retracted' OR length(trim(reason)) > 0)
        ) STRICT;
        CREATE INDEX annotation_versions_by_study ON annotation_versions(study_uid, annotation_id);

        CREATE TRIGGER annotation_versions_no_update BEFORE UPDATE ON annotation_versions
        BEGIN
            SELECT RAISE(ABORT, 'annotation_versions is append-only: a version cannot be updated');
        END;

        CREATE TRIGGER annotation_versions_no_delete BEFORE DELETE ON annotation_versions
        BEGIN
            SELECT RAISE(ABORT, 'annotation_versions is append-only: a version cannot be deleted');
        END;

        CREATE TRIGGER annotation_versions_next_version BEFORE INSERT ON annotation_versions
        WHEN NEW.version <> 1 + coalesce(
            (SELECT max(version) FROM annotation_versions WHERE annotation_id = NEW.annotation_id), 0)
        BEGIN
            SELECT RAISE(ABORT, 'annotation_versions: version numbers must follow the latest version without gaps');
        END;

        CREATE TRIGGER annotation_versions_after_retraction BEFORE INSERT ON annotation_versions
        WHEN 'retracted' = (SELECT status FROM annotation_versions WHERE annotation_id = NEW.annotation_id
                            ORDER BY version DESC LIMIT 1)
        BEGIN
            SELECT RAISE(ABORT, 'annotation_versions: a retracted annotation cannot get new versions');
        END;
        """

    /// v3: the clinical intake of each patient, append-only like annotations: every change is a new version
    /// with its author, time and reason.
    static let intakeVersions = """
        CREATE TABLE intake_versions (
            patient_id TEXT NOT NULL REFERENCES patients(patient_id),
            version INTEGER NOT NULL CHECK (version >= 1),
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            author TEXT NOT NULL CHECK (length(trim(author)) > 0),
            reason TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (patient_id, version)
        ) STRICT;
        CREATE TRIGGER intake_versions_no_update BEFORE UPDATE ON intake_versions
        BEGIN
            SELECT RAISE(ABORT, 'intake_versions is append-only: a version cannot be updated');
        END;
        CREATE TRIGGER intake_versions_no_delete BEFORE DELETE ON intake_versions
        BEGIN
            SELECT RAISE(ABORT, 'intake_versions is append-only: a version cannot be deleted');
        END;
        CREATE TRIGGER intake_versions_next_version BEFORE INSERT ON intake_versions
        WHEN NEW.version <> 1 + coalesce(
            (SELECT max(version) FROM intake_versions WHERE patient_id = NEW.patient_id), 0)
        BEGIN
            SELECT RAISE(ABORT, 'intake_versions: version numbers must follow the latest version without gaps');
        END;
        """

    /// v4: every attempt to deliver an export to an EHR endpoint, append-only: what was sent (the outbox file),
    /// where, the HTTP status or error, and whether it is delivered, will be retried, or was given up.
    static let deliveryAttempts = """
        CREATE TABLE delivery_attempts (
            delivery_id TEXT NOT NULL,
            attempt INTEGER NOT NULL CHECK (attempt >= 1),
            study_uid TEXT NOT NULL,
            url TEXT NOT NULL,
            outbox_path TEXT NOT NULL,
            http_status INTEGER,
            outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
            message TEXT NOT NULL,
            attempted_at TEXT NOT NULL,
            PRIMARY KEY (delivery_id, attempt)
        ) STRICT;
        CREATE TRIGGER delivery_attempts_no_update BEFORE UPDATE ON delivery_attempts
        BEGIN
            SELECT RAISE(ABORT, 'delivery_attempts is append-only');
        END;
        CREATE TRIGGER delivery_attempts_no_delete BEFORE DELETE ON delivery_attempts
        BEGIN
            SELECT RAISE(ABORT, 'delivery_attempts is append-only');
        END;
        """

    /// v5: the export-folder watcher's persistent state. `watch_files` is the ledger of source files taken (so a
    /// restart or a sweep never takes a file twice); `watch_studies` holds each study's arrival clock and
    /// completion, so pending studies survive a restart; `watch_events` is an append-only log of quarantines,
    /// replacements, errors and completions for `annulus status`; `watch_state` is each running watcher's
    /// heartbeat.
    static let watch = """
        CREATE TABLE watch_files (
            source_path TEXT NOT NULL PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('added', 'duplicate', 'replaced', 'quarantined')),
            sop_instance_uid TEXT,
            study_uid TEXT,
            detail TEXT NOT NULL,
            processed_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX watch_files_outcome ON watch_files(outcome);

        CREATE TABLE watch_studies (
            study_uid TEXT NOT NULL PRIMARY KEY,
            state TEXT NOT NULL CHECK (state IN ('pending', 'complete')),
            first_arrival REAL NOT NULL,
            last_arrival REAL NOT NULL,
            instances_received INTEGER NOT NULL CHECK (instances_received >= 0),
            expected_instances INTEGER,
            completed_at TEXT,
            completion TEXT
        ) STRICT;

        CREATE TABLE watch_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('quarantined', 'replaced', 'error', 'completed')),
            message TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER watch_events_no_update BEFORE UPDATE ON watch_events
        BEGIN
            SELECT RAISE(ABORT, 'watch_events is append-only');
        END;

        CREATE TABLE watch_state (
            folder TEXT NOT NULL PRIMARY KEY,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            heartbeat REAL NOT NULL,
            queued INTEGER NOT NULL,
            stopped_at TEXT
        ) STRICT;
        """

    /// v6: what a watcher is waiting for, in its heartbeat: the reason a batch cannot be taken (a full disk), since
    /// when, how many attempts and when the next is due, and how many files it cannot read.
    static let watchState = """
        ALTER TABLE watch_state ADD COLUMN waiting TEXT;
        ALTER TABLE watch_state ADD COLUMN waiting_since TEXT;
        ALTER TABLE watch_state ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE watch_state ADD COLUMN retry_at REAL;
        ALTER TABLE watch_state ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0;
        """

    /// v7: a study's completion can fail. `state` gains `failed` (the completion threw, a preview could not be made,
    /// or the completion process crashed or timed out): a failed study is never retried in a loop, only when a new
    /// instance arrives. `attempts` counts completions started, recorded before the work, so a completion that
    /// takes the watcher down with it is recognised at the next start instead of crashing it again; `failure` is
    /// the reason code (`completion-failed`, `completion-crashed`, `completion-timeout`, `previews-failed`).
    /// SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows in order.
    static let completionOutcome = """
        CREATE TABLE watch_studies_v7 (
            study_uid TEXT NOT NULL PRIMARY KEY,
            state TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'failed')),
            first_arrival REAL NOT NULL,
            last_arrival REAL NOT NULL,
            instances_received INTEGER NOT NULL CHECK (instances_received >= 0),
            expected_instances INTEGER,
            completed_at TEXT,
            completion TEXT,
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            failure TEXT
        ) STRICT;
        INSERT INTO watch_studies_v7 (study_uid, state, first_arrival, last_arrival, instances_received,
            expected_instances, completed_at, completion)
            SELECT study_uid, state, first_arrival, last_arrival, instances_received, expected_instances,
                completed_at, completion
            FROM watch_studies ORDER BY rowid;
        DROP TABLE watch_studies;
        ALTER TABLE watch_studies_v7 RENAME TO watch_studies;
        """

    /// v8: what a series says about the part of the body it shows (Body Part Examined, Protocol Name; series
    /// indexed before stay NULL until an instance of theirs is indexed again), and the clinician's explicit
    /// acceptance of a finding at a level the study does not seem to show. An override belongs to the annotation
    /// version written with it and names its level, reason and the evidence shown when it was given; it stays in
    /// force for later versions at the same level. Append-only like the annotations.
    static let seriesRegionAndLevelOverrides = """
        ALTER TABLE series ADD COLUMN body_part_examined TEXT;
        ALTER TABLE series ADD COLUMN protocol_name TEXT;

        CREATE TABLE level_overrides (
            annotation_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            level TEXT NOT NULL CHECK (length(level) > 0),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            evidence TEXT NOT NULL,
            author TEXT NOT NULL CHECK (length(trim(author)) > 0),
            created_at TEXT NOT NULL,
            PRIMARY KEY (annotation_id, version),
            FOREIGN KEY (annotation_id, version) REFERENCES annotation_versions(annotation_id, version)
        ) STRICT;

        CREATE TRIGGER level_overrides_no_update BEFORE UPDATE ON level_overrides
        BEGIN
            SELECT RAISE(ABORT, 'level_overrides is append-only: an override cannot be updated');
        END;

        CREATE TRIGGER level_overrides_no_delete BEFORE DELETE ON level_overrides
        BEGIN
            SELECT RAISE(ABORT, 'level_overrides is append-only: an override cannot be deleted');
        END;
        """

    /// v11: what a study search pages over (`AnnulusStore.searchStudies`). `modality_set` is the study's distinct
    /// series modalities, upper-cased, each between two U+001F separators (`"\u{1F}CT\u{1F}MR\u{1F}"`, "" for
    /// none), kept by triggers on `series` whatever writes it, so "has a series of modality M" is a test on the
    /// study's own row instead of a probe into `series` for every study (13 ms against 2 ms to count 10,000
    /// studies, measured). `studies_by_recency` holds the expressions of the list's order and then `modality_set`:
    /// a page is read in index order, a date range is a range on it, and the count of a date or modality search
    /// reads the index alone.
    static let studySearch = """
        ALTER TABLE studies ADD COLUMN modality_set TEXT NOT NULL DEFAULT '';
        UPDATE studies SET modality_set = \(modalitySet);
        CREATE INDEX studies_by_recency
            ON studies(coalesce(study_date, '') DESC, coalesce(study_time, '') DESC, study_uid, modality_set);

        CREATE TRIGGER series_modality_set_insert AFTER INSERT ON series
        WHEN coalesce(NEW.modality, '') <> ''
        BEGIN
            UPDATE studies SET modality_set = \(modalitySet) WHERE study_uid = NEW.study_uid;
        END;
        CREATE TRIGGER series_modality_set_update AFTER UPDATE OF study_uid, modality ON series
        WHEN NEW.study_uid IS NOT OLD.study_uid OR NEW.modality IS NOT OLD.modality
        BEGIN
            UPDATE studies SET modality_set = \(modalitySet) WHERE study_uid IN (OLD.study_uid, NEW.study_uid);
        END;
        CREATE TRIGGER series_modality_set_delete AFTER DELETE ON series
        WHEN coalesce(OLD.modality, '') <> ''
        BEGIN
            UPDATE studies SET modality_set = \(modalitySet) WHERE study_uid = OLD.study_uid;
        END;
        """

    /// The `modality_set` of the `studies` row being updated, from its series.
    private static let modalitySet = """
        coalesce((SELECT char(31) || group_concat(m, char(31)) || char(31) FROM (
                SELECT DISTINCT upper(se.modality) AS m FROM series se
                WHERE se.study_uid = studies.study_uid AND coalesce(se.modality, '') <> '' ORDER BY m)), '')
        """
}
