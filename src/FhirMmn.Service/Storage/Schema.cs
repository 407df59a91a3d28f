using Microsoft.Data.Sqlite;

namespace FhirMmn.Service.Storage;

/// <summary>The tables of the embedded store. Times are Unix milliseconds (UTC).</summary>
internal static class Schema
{
    /// <summary>The store's layout version (PRAGMA user_version); a store of another version is not opened.</summary>
    public const int Version = 4;

    public static void Create(SqliteConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA user_version; ";
            var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
            var tables = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (tables > 0 && version == 2)
            {
                // 3: each episode names the target its write state belongs to (null: unknown, read it first).
                Database.Execute(connection, "ALTER TABLE episodes ADD COLUMN target TEXT; PRAGMA user_version = 3;");
                version = 3;
            }

            if (tables > 0 && version == 3)
            {
                // 4: patient records are linked through the names bundles give them (docs/patients.md); all or nothing.
                using var transaction = connection.BeginTransaction();
                foreach (var column in new[] { "since INTEGER", "merged_into TEXT" })
                {
                    if (!HasColumn(connection, "patients", column.Split(' ')[0], transaction))
                    {
                        Database.Execute(connection, $"ALTER TABLE patients ADD COLUMN {column};", transaction);
                    }
                }

                CreateTables(connection, transaction);
                PatientAliasUpgrade.Run(connection, transaction);
                Database.Execute(connection, "PRAGMA user_version = 4;", transaction);
                transaction.Commit();
                version = 4;
            }

            if (tables > 0 && version != Version)
            {
                throw new InvalidOperationException(
                    $"The store in FhirMmn:DataDirectory has layout version {version}, this FhirMmn uses {Version}: point FhirMmn:DataDirectory at a new folder.");
            }
        }

        CreateTables(connection);
        FileResourcesByFeed(connection);
        AddOperationsTables(connection);
        AddMessageTransport(connection);
        Database.Execute(connection, $"PRAGMA user_version = {Version};");
    }

    /// <summary>
    /// Each embedded resource is filed under the feed it was written for, and read only for that feed. Added by the
    /// column's presence rather than a layout version, so that it goes with whichever layout the store has: a store
    /// from before feeds had one feed, the one its newest message names ('default' when none is left).
    /// </summary>
    private static void FileResourcesByFeed(SqliteConnection connection)
    {
        if (!HasColumn(connection, "resources", "feed"))
        {
            Database.Execute(connection, """
                ALTER TABLE resources ADD COLUMN feed TEXT NOT NULL DEFAULT '';
                UPDATE resources SET feed = coalesce((SELECT feed FROM messages ORDER BY sequence DESC LIMIT 1), 'default');
                """);
        }
    }

    /// <summary>
    /// Which transport a message row belongs to: embedded (the queue is this table) or a broker's name (the row is
    /// the ledger of a broker message: its state, counts and what it wrote; the broker holds the message). Added in
    /// place to a store that lacks it, without a layout change: every row it had is the embedded queue's.
    /// </summary>
    private static void AddMessageTransport(SqliteConnection connection)
    {
        if (!HasColumn(connection, "messages", "transport"))
        {
            Database.Execute(connection, "ALTER TABLE messages ADD COLUMN transport TEXT NOT NULL DEFAULT 'embedded';");
        }
    }

    /// <summary>
    /// What operations read (docs/operations.md), added to a store of any layout without changing it: each message's
    /// trace context, and its history (settlements and resubmissions; "received" is the message row itself). Codes and
    /// times only, never a bundle's content.
    /// </summary>
    private static void AddOperationsTables(SqliteConnection connection)
    {
        if (!HasColumn(connection, "messages", "trace_parent"))
        {
            Database.Execute(connection, "ALTER TABLE messages ADD COLUMN trace_parent TEXT;");
        }

        Database.Execute(connection, """
            CREATE TABLE IF NOT EXISTS message_events (
                sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT    NOT NULL,
                at         INTEGER NOT NULL,
                event      TEXT    NOT NULL,
                attempt    INTEGER NOT NULL,
                codes      TEXT
            );
            CREATE INDEX IF NOT EXISTS message_events_message ON message_events (message_id, sequence);
            """);
    }

    private static bool HasColumn(SqliteConnection connection, string table, string column, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM pragma_table_info($table) WHERE name = $column";
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$column", column);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static void CreateTables(SqliteConnection connection, SqliteTransaction? transaction = null) => Database.Execute(connection, """
        CREATE TABLE IF NOT EXISTS messages (
            sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
            id             TEXT    NOT NULL UNIQUE,
            feed           TEXT    NOT NULL,
            correlation_id TEXT    NOT NULL,
            received_at    INTEGER NOT NULL,
            state          TEXT    NOT NULL,
            due_at         INTEGER NOT NULL,
            lock_token     TEXT,
            locked_until   INTEGER,
            delivery_count INTEGER NOT NULL DEFAULT 0,
            attempts       INTEGER NOT NULL DEFAULT 0,
            completed_at   INTEGER,
            written        TEXT,
            outcome        TEXT,
            last_issue     TEXT
        );
        CREATE INDEX IF NOT EXISTS messages_ready ON messages (state, due_at, sequence);

        -- Bodies apart from the state rows: settling a message rewrites a small row, not the bundle.
        CREATE TABLE IF NOT EXISTS message_bodies (
            id   TEXT NOT NULL PRIMARY KEY,
            body BLOB NOT NULL
        ) WITHOUT ROWID;

        -- since: the sequence of the patient's first message (the oldest of linked records is kept);
        -- merged_into: the record this one was linked into (its results and episodes move there).
        CREATE TABLE IF NOT EXISTS patients (
            feed        TEXT NOT NULL,
            patient     TEXT NOT NULL,
            identity    TEXT NOT NULL,
            since       INTEGER,
            merged_into TEXT,
            PRIMARY KEY (feed, patient)
        );

        -- Every name a bundle gave a patient (patient keys: Patient/{id}, identifier|system|value), and its record.
        CREATE TABLE IF NOT EXISTS patient_aliases (
            feed    TEXT NOT NULL,
            alias   TEXT NOT NULL,
            patient TEXT NOT NULL,
            PRIMARY KEY (feed, alias)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS patient_aliases_patient ON patient_aliases (feed, patient);

        -- The contract results of each message, per patient: one row a message (redelivery replaces it).
        CREATE TABLE IF NOT EXISTS results (
            feed     TEXT    NOT NULL,
            patient  TEXT    NOT NULL,
            sequence INTEGER NOT NULL,
            data     TEXT    NOT NULL,
            PRIMARY KEY (feed, patient, sequence)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS episodes (
            feed            TEXT    NOT NULL,
            patient         TEXT    NOT NULL,
            episode         INTEGER NOT NULL,
            starts_after    INTEGER,
            newest_input    INTEGER,
            digest          TEXT,
            category        TEXT,
            report_ref      TEXT,
            report_version  TEXT,
            plan_ref        TEXT,
            plan_version    TEXT,
            plan_generation INTEGER NOT NULL DEFAULT 1,
            target          TEXT,
            PRIMARY KEY (feed, patient, episode)
        );

        CREATE TABLE IF NOT EXISTS resources (
            type         TEXT    NOT NULL,
            id           TEXT    NOT NULL,
            version      INTEGER NOT NULL,
            subject      TEXT,
            identifier   TEXT,
            last_updated INTEGER NOT NULL,
            json         TEXT    NOT NULL,
            PRIMARY KEY (type, id)
        );
        CREATE INDEX IF NOT EXISTS resources_subject ON resources (type, subject);
        CREATE INDEX IF NOT EXISTS resources_identifier ON resources (type, identifier);
        """, transaction);
}
