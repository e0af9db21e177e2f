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
/// which SQLite cannot store as a REAL, is stored as NULL and read back as NaN.
/// </summary>
internal sealed class SqliteStudyStore : IStudyStore
{
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
        """;

    private readonly SqliteConnection connection;
    private readonly HashSet<string> opened = new(StringComparer.Ordinal);

    /// <summary>Opens the store at <paramref name="path"/>, creating the file and its tables when missing.</summary>
    /// <param name="path">The database file; its folder is created when missing.</param>
    public SqliteStudyStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30,
        };
        connection = new SqliteConnection(builder.ToString());
        connection.Open();
        try
        {
            Execute("PRAGMA journal_mode = WAL;");
            Execute("PRAGMA synchronous = FULL;");
            Execute("PRAGMA foreign_keys = ON;");
            Execute(Schema);
        }
        catch
        {
            connection.Dispose();
            throw;
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

        transaction.Commit();
        return stored;
    }

    /// <inheritdoc/>
    public IReadOnlyList<StudyMember> LoadMembers(string studyId) => LoadMembers(studyId, new HashSet<int>());

    /// <inheritdoc/>
    public IReadOnlyList<StudyMember> LoadMembers(string studyId, IReadOnlySet<int> except)
    {
        CheckOpened(studyId);
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
            var hyperparameters = JsonSerializer.Deserialize<Dictionary<string, string>>(rows.GetString(2))
                                  ?? throw new InvalidDataException($"Study store {Path}: member {index} has no hyperparameters.");
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
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'study_members';";
        if ((long)command.ExecuteScalar()! == 0) return true;
        command.CommandText = "SELECT count(*) FROM study_members;";
        return (long)command.ExecuteScalar()! == 0;
    }

    /// <summary>Deletes the store at <paramref name="path"/> with its write-ahead log and shared-memory files.</summary>
    public static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => connection.Dispose();

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
