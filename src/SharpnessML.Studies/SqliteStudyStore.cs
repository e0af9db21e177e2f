using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SharpnessML.Studies;

/// <summary>
/// An <see cref="IStudyStore"/> in one SQLite file. The database runs in WAL journal mode with full synchronisation,
/// and every member is written in its own transaction, so a process killed at any moment leaves either the whole
/// member or none of it. Doubles are stored as SQLite REALs (IEEE 754 binary64), so they read back bit for bit; NaN,
/// which SQLite cannot store as a REAL, is stored as NULL and read back as NaN. A file that is not a study store (a
/// folder, another program's database, a damaged or truncated file) is refused when opened, and any SQLite failure later
/// (a full disk) becomes one <see cref="IOException"/> naming the file; a failed write leaves the store as it was.
/// Members are claimed (<see cref="IMemberClaims"/>, the <c>member_claims</c> table) so processes sharing the file never
/// train the same one. Every call is serialised on one connection, so a lease can be renewed from another thread.
/// </summary>
internal sealed class SqliteStudyStore : IStudyStore, IMemberClaims
{
    /// <summary>What a message about a damaged or foreign store file tells the user to do.</summary>
    public const string StartOverHint = "rerun with --fresh to start over, or move the file away";

    private static readonly Dictionary<string, string[]> RequiredColumns = new(StringComparer.Ordinal)
    {
        ["studies"] = new[] { "id", "config_hash", "config_json", "created_utc" },
        ["study_members"] = new[] { "study_id", "member_index", "seed", "hyperparameters", "epochs", "train_loss", "test_loss", "train_error", "test_error", "train_seconds", "saved_utc" },
        ["member_measurements"] = new[] { "study_id", "member_index", "position", "measure", "value", "standard_error", "seconds", "details" },
        ["member_claims"] = new[] { "study_id", "member_index", "worker", "expires_ms" },
    };

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS studies (
            id TEXT PRIMARY KEY NOT NULL,
            config_hash TEXT NOT NULL,
            config_json TEXT NOT NULL,
            created_utc TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS study_members (
            study_id TEXT NOT NULL REFERENCES studies(id),
            member_index INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            hyperparameters TEXT NOT NULL,
            epochs INTEGER NOT NULL,
            train_loss REAL,
            test_loss REAL,
            train_error REAL,
            test_error REAL,
            train_seconds REAL,
            saved_utc TEXT NOT NULL,
            PRIMARY KEY (study_id, member_index));
        CREATE TABLE IF NOT EXISTS member_measurements (
            study_id TEXT NOT NULL,
            member_index INTEGER NOT NULL,
            position INTEGER NOT NULL,
            measure TEXT NOT NULL,
            value REAL,
            standard_error REAL,
            seconds REAL,
            details TEXT NOT NULL,
            PRIMARY KEY (study_id, member_index, measure),
            FOREIGN KEY (study_id, member_index) REFERENCES study_members(study_id, member_index));
        CREATE TABLE IF NOT EXISTS member_claims (
            study_id TEXT NOT NULL,
            member_index INTEGER NOT NULL,
            worker TEXT NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (study_id, member_index));
        """;

    private readonly SqliteConnection connection;
    private readonly HashSet<string> opened = new(StringComparer.Ordinal);

    /// <summary>Opens the store at <paramref name="path"/>, creating the file and its tables when missing.</summary>
    /// <param name="path">The database file; its folder is created when missing.</param>
    /// <exception cref="IOException">
    /// The path is a folder or cannot be written, or the file is not a study store (not SQLite, damaged, truncated, another
    /// program's tables); the message names the file and, for a damaged one, says to rerun with --fresh.
    /// </exception>
    public SqliteStudyStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(Path))
            throw new IOException($"Study store {Path} is a folder; --store names the SQLite file (e.g. {System.IO.Path.Combine(Path, "study.db")}).");
        bool existed = File.Exists(Path);
        if (existed && !Trainers.Data.InputFile.IsRegular(Path)) throw new IOException($"Study store {Path} is not a regular file (a FIFO, device or socket).");
        if (existed) CheckHeader(Path);
        else if (System.IO.Path.Exists(Path)) throw new IOException($"Study store {Path} is not a regular file.");
        var folder = System.IO.Path.GetDirectoryName(Path);
        try
        {
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Study store {Path}: its folder cannot be created: {e.Message}", e);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
        };
        connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            if (existed) CheckContents();
            Execute("PRAGMA journal_mode = WAL;");
            Execute("PRAGMA synchronous = FULL;");
            Execute("PRAGMA foreign_keys = ON;");
            Execute(Schema);
        }
        catch (Exception e)
        {
            connection.Dispose();
            if (e is SqliteException sqlite) throw Failure(sqlite, "cannot be opened");
            throw;
        }
    }

    /// <summary>Refuses a file that does not start with SQLite's header (a text file, random bytes).</summary>
    private static void CheckHeader(string path)
    {
        var header = new byte[16];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (file.Length == 0) return; // an empty file is an empty database to SQLite
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Study store {path} cannot be read: {e.Message}", e);
        }

        if (read < header.Length || !header.AsSpan().SequenceEqual("SQLite format 3\0"u8))
            throw new IOException($"Study store {path} is not a SQLite database (it does not start with SQLite's header); {StartOverHint}.");
    }

    /// <summary>Checks an existing file's structure and tables before anything is written to it.</summary>
    private void CheckContents()
    {
        using (var check = Command(null, "PRAGMA quick_check;"))
        {
            var verdict = check.ExecuteScalar() as string;
            if (verdict != "ok") throw new IOException($"Study store {Path} is damaged (SQLite's check: {Shorten(verdict)}); {StartOverHint}.");
        }

        var tables = new List<string>();
        using (var list = Command(null, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read()) tables.Add(reader.GetString(0));
        }

        if (tables.Count > 0 && !tables.Any(RequiredColumns.ContainsKey))
            throw new IOException($"Study store {Path} is a SQLite database of something else (tables: {Shorten(string.Join(", ", tables))}); {StartOverHint}.");
        foreach (var (table, columns) in RequiredColumns)
        {
            if (!tables.Contains(table)) continue;
            var present = new HashSet<string>(StringComparer.Ordinal);
            using (var info = Command(null, $"SELECT name FROM pragma_table_info('{table}');"))
            using (var reader = info.ExecuteReader())
            {
                while (reader.Read()) present.Add(reader.GetString(0));
            }

            var missing = columns.Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
                throw new IOException($"Study store {Path} has a table '{table}' without the column(s) {string.Join(", ", missing)}; it is not a study store of this version; {StartOverHint}.");
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The SHA-256 hash (lower-case hex) that identifies <paramref name="configurationJson"/>.</summary>
    /// <param name="configurationJson">A study configuration.</param>
    public static string ConfigurationHash(string configurationJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configurationJson)));

    /// <inheritdoc/>
    public void Open(string studyId, string configurationJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(studyId);
        ArgumentNullException.ThrowIfNull(configurationJson);
        Guarded("cannot be opened", () =>
        {
            OpenStudy(studyId, configurationJson);
            return 0;
        });
    }

    private void OpenStudy(string studyId, string configurationJson)
    {
        var hash = ConfigurationHash(configurationJson);
        using var transaction = connection.BeginTransaction();
        using (var insert = Command(transaction,
                   "INSERT INTO studies (id, config_hash, config_json, created_utc) VALUES ($id, $hash, $json, $now) ON CONFLICT(id) DO NOTHING;"))
        {
            insert.Parameters.AddWithValue("$id", studyId);
            insert.Parameters.AddWithValue("$hash", hash);
            insert.Parameters.AddWithValue("$json", configurationJson);
            insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
        }

        string storedHash, storedJson;
        using (var select = Command(transaction, "SELECT config_hash, config_json FROM studies WHERE id = $id;"))
        {
            select.Parameters.AddWithValue("$id", studyId);
            using var reader = select.ExecuteReader();
            reader.Read();
            storedHash = reader.GetString(0);
            storedJson = reader.GetString(1);
        }

        transaction.Commit();
        if (storedHash != hash)
        {
            throw new InvalidOperationException(
                $"Study store {Path}: study '{studyId}' was created with a different configuration " +
                $"(stored hash {storedHash[..12]}…, requested {hash[..12]}…). Use another store file or study id, " +
                $"or delete the store to start over. Stored configuration: {storedJson}");
        }

        opened.Add(studyId);
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> CompletedIndices(string studyId)
    {
        CheckOpened(studyId);
        return Guarded("cannot be read", () => ReadCompletedIndices(studyId));
    }

    private List<int> ReadCompletedIndices(string studyId)
    {
        using var select = Command(null, "SELECT member_index FROM study_members WHERE study_id = $id ORDER BY member_index;");
        select.Parameters.AddWithValue("$id", studyId);
        using var reader = select.ExecuteReader();
        var indices = new List<int>();
        while (reader.Read()) indices.Add(reader.GetInt32(0));
        return indices;
    }

    /// <inheritdoc/>
    public bool Save(string studyId, StudyMember member)
    {
        CheckOpened(studyId);
        ArgumentNullException.ThrowIfNull(member);
        return Guarded($"could not store member {member.Index} (nothing of it was written; the members stored before are kept)", () => SaveMember(studyId, member));
    }

    private bool SaveMember(string studyId, StudyMember member)
    {
        using var transaction = connection.BeginTransaction();
        using var insert = Command(transaction, """
            INSERT INTO study_members (study_id, member_index, seed, hyperparameters, epochs, train_loss, test_loss,
                                       train_error, test_error, train_seconds, saved_utc)
            VALUES ($id, $index, $seed, $hyper, $epochs, $trainLoss, $testLoss, $trainError, $testError, $trainSeconds, $now)
            ON CONFLICT(study_id, member_index) DO NOTHING;
            """);
        insert.Parameters.AddWithValue("$id", studyId);
        insert.Parameters.AddWithValue("$index", member.Index);
        insert.Parameters.AddWithValue("$seed", member.Seed);
        insert.Parameters.AddWithValue("$hyper", JsonSerializer.Serialize(member.Hyperparameters));
        insert.Parameters.AddWithValue("$epochs", member.Epochs);
        insert.Parameters.AddWithValue("$trainLoss", Real(member.TrainLoss));
        insert.Parameters.AddWithValue("$testLoss", Real(member.TestLoss));
        insert.Parameters.AddWithValue("$trainError", Real(member.TrainError));
        insert.Parameters.AddWithValue("$testError", Real(member.TestError));
        insert.Parameters.AddWithValue("$trainSeconds", Real(member.TrainSeconds));
        insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        var stored = insert.ExecuteNonQuery() == 1;
        if (stored)
        {
            for (int position = 0; position < member.Measurements.Count; position++)
            {
                var m = member.Measurements[position];
                using var measurement = Command(transaction, """
                    INSERT INTO member_measurements (study_id, member_index, position, measure, value, standard_error, seconds, details)
                    VALUES ($id, $index, $position, $measure, $value, $se, $seconds, $details);
                    """);
                measurement.Parameters.AddWithValue("$id", studyId);
                measurement.Parameters.AddWithValue("$index", member.Index);
                measurement.Parameters.AddWithValue("$position", position);
                measurement.Parameters.AddWithValue("$measure", m.Measure);
                measurement.Parameters.AddWithValue("$value", Real(m.Value));
                measurement.Parameters.AddWithValue("$se", m.StandardError is { } se ? Real(se) : DBNull.Value);
                measurement.Parameters.AddWithValue("$seconds", Real(m.Seconds));
                measurement.Parameters.AddWithValue("$details", m.DetailsJson);
                measurement.ExecuteNonQuery();
            }
        }

        using (var release = Command(transaction, "DELETE FROM member_claims WHERE study_id = $id AND member_index = $index;"))
        {
            release.Parameters.AddWithValue("$id", studyId);
            release.Parameters.AddWithValue("$index", member.Index);
            release.ExecuteNonQuery();
        }

        transaction.Commit();
        return stored;
    }

    /// <inheritdoc/>
    public IReadOnlyList<StudyMember> LoadMembers(string studyId) => LoadMembers(studyId, new HashSet<int>());

    /// <inheritdoc/>
    public IReadOnlyList<StudyMember> LoadMembers(string studyId, IReadOnlySet<int> except)
    {
        CheckOpened(studyId);
        return Guarded("cannot be read", () => ReadMembers(studyId, except));
    }

    private List<StudyMember> ReadMembers(string studyId, IReadOnlySet<int> except)
    {
        var exceptJson = JsonSerializer.Serialize(except.Order().ToArray());
        var measurements = new Dictionary<int, List<StudyMeasurement>>();
        using (var select = Command(null, """
                   SELECT member_index, measure, value, standard_error, seconds, details
                   FROM member_measurements
                   WHERE study_id = $id AND member_index NOT IN (SELECT value FROM json_each($except))
                   ORDER BY member_index, position;
                   """))
        {
            select.Parameters.AddWithValue("$id", studyId);
            select.Parameters.AddWithValue("$except", exceptJson);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                int index = reader.GetInt32(0);
                if (!measurements.TryGetValue(index, out var list)) measurements[index] = list = new List<StudyMeasurement>();
                list.Add(new StudyMeasurement(reader.GetString(1), Double(reader, 2), reader.IsDBNull(3) ? null : reader.GetDouble(3),
                    Double(reader, 4), reader.GetString(5)));
            }
        }

        using var members = Command(null, """
            SELECT member_index, seed, hyperparameters, epochs, train_loss, test_loss, train_error, test_error, train_seconds
            FROM study_members WHERE study_id = $id AND member_index NOT IN (SELECT value FROM json_each($except))
            ORDER BY member_index;
            """);
        members.Parameters.AddWithValue("$id", studyId);
        members.Parameters.AddWithValue("$except", exceptJson);
        using var rows = members.ExecuteReader();
        var result = new List<StudyMember>();
        while (rows.Read())
        {
            int index = rows.GetInt32(0);
            Dictionary<string, string>? hyperparameters;
            try
            {
                hyperparameters = JsonSerializer.Deserialize<Dictionary<string, string>>(rows.GetString(2));
            }
            catch (JsonException e)
            {
                throw new IOException($"Study store {Path} is damaged: member {index}'s hyperparameters are not JSON ({e.Message}); {StartOverHint}.", e);
            }

            if (hyperparameters is null) throw new IOException($"Study store {Path} is damaged: member {index} has no hyperparameters; {StartOverHint}.");
            result.Add(new StudyMember(index, rows.GetInt32(1), hyperparameters, rows.GetInt32(3),
                Double(rows, 4), Double(rows, 5), Double(rows, 6), Double(rows, 7),
                measurements.TryGetValue(index, out var list) ? list : new List<StudyMeasurement>(), Double(rows, 8)));
        }

        return result;
    }

    /// <summary>Whether the store at <paramref name="path"/> holds no member of any study (true when there is no file).</summary>
    public static bool IsEmpty(string path)
    {
        if (!File.Exists(path)) return true;
        try
        {
            return CountMembers(path) == 0;
        }
        catch (SqliteException)
        {
            return false; // not ours to judge (or remove)
        }
    }

    private static long CountMembers(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'study_members';";
        if ((long)command.ExecuteScalar()! == 0) return 0;
        command.CommandText = "SELECT count(*) FROM study_members;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Deletes the store at <paramref name="path"/> with its write-ahead log and shared-memory files.</summary>
    public static void Delete(string path)
    {
        if (Directory.Exists(path))
            throw new IOException($"Study store {System.IO.Path.GetFullPath(path)} is a folder; --store names the SQLite file, and --fresh deletes only that file.");
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    /// <inheritdoc/>
    public MemberClaim TryClaim(string studyId, int memberIndex, string worker, TimeSpan lease, out string? holder)
    {
        CheckOpened(studyId);
        string? current = null;
        var result = Guarded($"could not claim member {memberIndex}", () =>
        {
            using var transaction = connection.BeginTransaction(); // BEGIN IMMEDIATE: one claimant at a time
            using (var stored = Command(transaction, "SELECT count(*) FROM study_members WHERE study_id = $id AND member_index = $index;"))
            {
                stored.Parameters.AddWithValue("$id", studyId);
                stored.Parameters.AddWithValue("$index", memberIndex);
                if ((long)stored.ExecuteScalar()! > 0) return MemberClaim.Stored;
            }

            long now = NowMs();
            using (var claim = Command(transaction, "SELECT worker, expires_ms FROM member_claims WHERE study_id = $id AND member_index = $index;"))
            {
                claim.Parameters.AddWithValue("$id", studyId);
                claim.Parameters.AddWithValue("$index", memberIndex);
                using var reader = claim.ExecuteReader();
                if (reader.Read() && reader.GetString(0) != worker && reader.GetInt64(1) > now && !HolderIsGone(reader.GetString(0)))
                {
                    current = reader.GetString(0);
                    return MemberClaim.Held;
                }
            }

            using (var take = Command(transaction, """
                       INSERT INTO member_claims (study_id, member_index, worker, expires_ms) VALUES ($id, $index, $worker, $expires)
                       ON CONFLICT(study_id, member_index) DO UPDATE SET worker = excluded.worker, expires_ms = excluded.expires_ms;
                       """))
            {
                take.Parameters.AddWithValue("$id", studyId);
                take.Parameters.AddWithValue("$index", memberIndex);
                take.Parameters.AddWithValue("$worker", worker);
                take.Parameters.AddWithValue("$expires", now + (long)lease.TotalMilliseconds);
                take.ExecuteNonQuery();
            }

            transaction.Commit();
            return MemberClaim.Claimed;
        });
        holder = current;
        return result;
    }

    /// <inheritdoc/>
    public void Renew(string studyId, int memberIndex, string worker, TimeSpan lease) =>
        Guarded($"could not renew the claim on member {memberIndex}", () =>
        {
            using var renew = Command(null, "UPDATE member_claims SET expires_ms = $expires WHERE study_id = $id AND member_index = $index AND worker = $worker;");
            renew.Parameters.AddWithValue("$id", studyId);
            renew.Parameters.AddWithValue("$index", memberIndex);
            renew.Parameters.AddWithValue("$worker", worker);
            renew.Parameters.AddWithValue("$expires", NowMs() + (long)lease.TotalMilliseconds);
            return renew.ExecuteNonQuery();
        });

    /// <inheritdoc/>
    public void Release(string studyId, int memberIndex, string worker) =>
        Guarded($"could not release the claim on member {memberIndex}", () =>
        {
            using var release = Command(null, "DELETE FROM member_claims WHERE study_id = $id AND member_index = $index AND worker = $worker;");
            release.Parameters.AddWithValue("$id", studyId);
            release.Parameters.AddWithValue("$index", memberIndex);
            release.Parameters.AddWithValue("$worker", worker);
            return release.ExecuteNonQuery();
        });

    /// <inheritdoc/>
    public void ReleaseAll(string worker) =>
        Guarded("could not release claims", () =>
        {
            using var release = Command(null, "DELETE FROM member_claims WHERE worker = $worker;");
            release.Parameters.AddWithValue("$worker", worker);
            return release.ExecuteNonQuery();
        });

    /// <inheritdoc/>
    public void RemoveMember(string studyId, int memberIndex)
    {
        CheckOpened(studyId);
        Guarded($"could not remove the incomplete member {memberIndex}", () =>
        {
            using var transaction = connection.BeginTransaction();
            foreach (var table in new[] { "member_measurements", "study_members" })
            {
                using var delete = Command(transaction, $"DELETE FROM {table} WHERE study_id = $id AND member_index = $index;");
                delete.Parameters.AddWithValue("$id", studyId);
                delete.Parameters.AddWithValue("$index", memberIndex);
                delete.ExecuteNonQuery();
            }

            transaction.Commit();
            return 0;
        });
    }

    /// <summary>
    /// Lets the database grow by at most <paramref name="pages"/> more pages on this connection (SQLite's
    /// <c>max_page_count</c>), after which writes fail as on a full disk: how the tests fill a disk.
    /// </summary>
    internal void LimitGrowth(int pages) => Guarded("could not be limited", () =>
    {
        using var count = Command(null, "PRAGMA page_count;");
        long now = (long)count.ExecuteScalar()!;
        Execute($"PRAGMA max_page_count = {now + pages};");
        return 0;
    });

    /// <summary>Runs <paramref name="work"/> alone on the connection; a SQLite failure becomes one line naming the file.</summary>
    private T Guarded<T>(string what, Func<T> work)
    {
        lock (connection)
        {
            try
            {
                return work();
            }
            catch (SqliteException e)
            {
                throw Failure(e, what);
            }
        }
    }

    private IOException Failure(SqliteException e, string what) => e.SqliteErrorCode switch
    {
        // SQLITE_FULL
        13 => new IOException($"Study store {Path}: the disk is full ({Shorten(e.Message)}); it {what}. Free some space and rerun to resume.", e),
        // SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT
        11 or 26 or 24 => new IOException($"Study store {Path} is damaged ({Shorten(e.Message)}); {StartOverHint}.", e),
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH
        14 or 8 or 3 or 23 => new IOException($"Study store {Path}: it {what}: {Shorten(e.Message)} (is its folder writable?).", e),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new IOException($"Study store {Path}: it {what}: another process holds it locked ({Shorten(e.Message)}); try again when it is done.", e),
        _ => new IOException($"Study store {Path}: it {what}: {Shorten(e.Message)}.", e),
    };

    private static string Shorten(string? text)
    {
        var line = (text ?? "").ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    /// <summary>
    /// Whether a claim's worker (<c>machine/pid N/…</c>, as <see cref="StudyRunner"/> names them) ran on this machine in a
    /// process that no longer exists: its lease need not be waited out.
    /// </summary>
    internal static bool HolderIsGone(string holder)
    {
        var parts = holder.Split('/');
        return parts.Length >= 2 && parts[0] == Environment.MachineName && parts[1].StartsWith("pid ", StringComparison.Ordinal)
               && int.TryParse(parts[1].AsSpan(4), out var pid) && !TemporaryFiles.IsRunning(pid);
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        lock (connection) connection.Dispose();
    }

    private void CheckOpened(string studyId)
    {
        if (!opened.Contains(studyId))
        {
            throw new InvalidOperationException($"Study store {Path}: call Open(\"{studyId}\", configuration) before using the study.");
        }
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(null, sql);
        command.ExecuteNonQuery();
    }

    private static object Real(double value) => double.IsNaN(value) ? DBNull.Value : value;

    private static double Double(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
}
