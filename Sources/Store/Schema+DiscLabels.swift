/// The table of disc labels (migration v12).
extension Schema {
    /// v12: each study's labelled discs, append-only: every change writes the whole set as a new version (JSON
    /// payload, its numbering basis, author, reason, time). Triggers refuse UPDATE and DELETE, and an insert that
    /// skips or repeats a version number (which also stops `INSERT OR REPLACE` over an existing version).
    /// `study_uid` is not a foreign key, as for annotations: the clinical record survives a rebuild of the index.
    static let discLabels = """
        CREATE TABLE disc_label_versions (
            study_uid TEXT NOT NULL CHECK (length(study_uid) > 0),
            version INTEGER NOT NULL CHECK (version >= 1),
            basis TEXT NOT NULL CHECK (length(basis) > 0),
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            author TEXT NOT NULL CHECK (length(trim(author)) > 0),
            reason TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (study_uid, version)
        ) STRICT;

        CREATE TRIGGER disc_label_versions_no_update BEFORE UPDATE ON disc_label_versions
        BEGIN
            SELECT RAISE(ABORT, 'disc_label_versions is append-only: a version cannot be updated');
        END;

        CREATE TRIGGER disc_label_versions_no_delete BEFORE DELETE ON disc_label_versions
        BEGIN
            SELECT RAISE(ABORT, 'disc_label_versions is append-only: a version cannot be deleted');
        END;

        CREATE TRIGGER disc_label_versions_next_version BEFORE INSERT ON disc_label_versions
        WHEN NEW.version <> 1 + coalesce(
            (SELECT max(version) FROM disc_label_versions WHERE study_uid = NEW.study_uid), 0)
        BEGIN
            SELECT RAISE(ABORT, 'disc_label_versions: version numbers must follow the latest version without gaps');
        END;
        """
}
