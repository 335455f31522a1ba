/// The table of DICOM SR documents made (migration v13).
extension Schema {
    /// v13: every SR document Annulus wrote for a study, append-only (a new document supersedes; none is edited).
    static let structuredReports = """
        CREATE TABLE structured_reports (
            sop_instance_uid TEXT PRIMARY KEY,
            study_uid TEXT NOT NULL CHECK (length(study_uid) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('report', 'key-objects')),
            series_uid TEXT NOT NULL,
            sop_class_uid TEXT NOT NULL,
            instance_number INTEGER NOT NULL CHECK (instance_number >= 1),
            content_digest TEXT NOT NULL,
            content_date TEXT NOT NULL,
            content_time TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX structured_reports_study ON structured_reports (study_uid, kind, instance_number);
        CREATE TRIGGER structured_reports_no_update BEFORE UPDATE ON structured_reports
        BEGIN
            SELECT RAISE(ABORT, 'structured_reports is append-only');
        END;
        CREATE TRIGGER structured_reports_no_delete BEFORE DELETE ON structured_reports
        BEGIN
            SELECT RAISE(ABORT, 'structured_reports is append-only');
        END;
        """
}
