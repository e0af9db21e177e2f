using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Transforms.Statistics;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// Reads a pool of models from an <see cref="IDataView"/> — one row per model, a column per measure, one for the
/// generalization quantity, and optional hyperparameter columns — and computes one <see cref="CorrelationMetrics"/> per measure.
/// </summary>
internal static class CorrelationEvaluation
{
    public static IReadOnlyList<CorrelationMetrics> Evaluate(IDataView data, string generalizationColumnName, IReadOnlyList<string> measureColumnNames,
        IReadOnlyList<string> hyperparameterColumnNames, int bootstrapSeed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(generalizationColumnName);
        if (measureColumnNames.Count == 0) throw new ArgumentException("Name at least one measure column.", nameof(measureColumnNames));
        var generalization = Numbers(data, generalizationColumnName);
        var hyperparameters = hyperparameterColumnNames.Count == 0 ? null : Rows(data, hyperparameterColumnNames);
        var results = new List<CorrelationMetrics>(measureColumnNames.Count);
        foreach (var name in measureColumnNames)
        {
            var metrics = CorrelationMetrics.Compute(name, generalizationColumnName, Numbers(data, name), generalization, hyperparameters, bootstrapSeed)
                          ?? throw new ArgumentException(
                              $"Columns '{name}' and '{generalizationColumnName}': fewer than 3 rows have finite values of both; a correlation needs at least 3 models.");
            results.Add(metrics);
        }

        return results;
    }

    private static DataViewSchema.Column Column(IDataView data, string name)
    {
        var column = data.Schema.GetColumnOrNull(name)
                     ?? throw new ArgumentException($"The data has no column '{name}' (it has {string.Join(", ", data.Schema.Select(c => c.Name))}).");
        return column;
    }

    /// <summary>A numeric column (Single, Double, Int32 or Int64) as doubles.</summary>
    private static double[] Numbers(IDataView data, string name)
    {
        var column = Column(data, name);
        var type = column.Type.RawType;
        if (type == typeof(float)) return data.GetColumn<float>(column).Select(v => (double)v).ToArray();
        if (type == typeof(double)) return data.GetColumn<double>(column).ToArray();
        if (type == typeof(int)) return data.GetColumn<int>(column).Select(v => (double)v).ToArray();
        if (type == typeof(long)) return data.GetColumn<long>(column).Select(v => (double)v).ToArray();
        throw new ArgumentException($"Column '{name}' holds {column.Type}; a measure or generalization column must hold numbers (Single, Double, Int32 or Int64).");
    }

    /// <summary>Each row's values on the hyperparameter columns, as text (numbers in round-trip invariant form).</summary>
    private static IReadOnlyDictionary<string, string>[] Rows(IDataView data, IReadOnlyList<string> names)
    {
        var columns = names.Select(n => (Name: n, Values: Texts(data, n))).ToList();
        int count = columns[0].Values.Length;
        return Enumerable.Range(0, count)
            .Select(i => (IReadOnlyDictionary<string, string>)columns.ToDictionary(c => c.Name, c => c.Values[i], StringComparer.Ordinal))
            .ToArray();
    }

    private static string[] Texts(IDataView data, string name)
    {
        var column = Column(data, name);
        var type = column.Type.RawType;
        if (type == typeof(ReadOnlyMemory<char>)) return data.GetColumn<ReadOnlyMemory<char>>(column).Select(v => v.ToString()).ToArray();
        if (type == typeof(string)) return data.GetColumn<string>(column).Select(v => v ?? "").ToArray();
        if (type == typeof(float)) return data.GetColumn<float>(column).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        if (type == typeof(double)) return data.GetColumn<double>(column).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        if (type == typeof(int)) return data.GetColumn<int>(column).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (type == typeof(long)) return data.GetColumn<long>(column).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (type == typeof(bool)) return data.GetColumn<bool>(column).Select(v => v ? "true" : "false").ToArray();
        throw new ArgumentException($"Column '{name}' holds {column.Type}; a hyperparameter column must hold text, numbers or booleans.");
    }
}
