using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// An evaluation stage over a pool of models (<c>ml.Sharpness().MeasureSharpness(...)</c>): the input has one row per
/// model, whose model column holds a path — a SharpnessML model file or, when a TorchScript loss is given, a TorchScript
/// file; the output adds, per measure, a Single column named after the measure with its value and one named
/// <c>&lt;measure&gt;.StdErr</c> with its standard error (NaN where there is none), and a <c>Loss</c> column with the
/// model's loss on the data. Every model is measured on the same data with the same <see cref="MeasureSettings"/>
/// (the same seed: the same batches and starting perturbations). Nothing is learned, so <see cref="Fit"/> only checks
/// the schema; the transformer measures each path once and caches the values.
/// </summary>
public sealed class SharpnessMeasuringEstimator : IEstimator<SharpnessMeasuringTransformer>
{
    private readonly SharpnessCatalog catalog;
    private readonly SharpnessMeasuringOptions options;

    internal SharpnessMeasuringEstimator(SharpnessCatalog catalog, SharpnessMeasuringOptions options)
    {
        this.catalog = catalog;
        this.options = options;
        options.Validate(catalog.Measures);
    }

    /// <inheritdoc />
    public SharpnessMeasuringTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckModelColumn(input.Schema.GetColumnOrNull(options.ModelColumnName)?.Type);
        return new SharpnessMeasuringTransformer(catalog, options);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var model = inputSchema.Where(c => c.Name == options.ModelColumnName).Select(c => (SchemaShape.Column?)c).FirstOrDefault();
        CheckModelColumn(model?.ItemType);
        // ML.NET builds SchemaShape columns only internally; a chain of no-op custom mappings, one Single column each,
        // describes the added columns through public API.
        var ml = catalog.MLContext;
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (var name in options.OutputColumnNames())
        {
            var output = SchemaDefinition.Create(typeof(SingleColumn));
            output[0].ColumnName = name;
            chain = chain.Append(ml.Transforms.CustomMapping<NoColumns, SingleColumn>((_, _) => { }, contractName: null, outputSchemaDefinition: output));
        }
        return chain.GetOutputSchema(inputSchema);
    }

    private void CheckModelColumn(DataViewType? type)
    {
        if (type is null) throw new ArgumentException($"The input has no model column '{options.ModelColumnName}'.");
        if (type is not TextDataViewType)
            throw new ArgumentException($"Model column '{options.ModelColumnName}' holds {type}; it must hold text (model file paths).");
    }
}

/// <summary>No input columns (for describing output columns).</summary>
internal sealed class NoColumns
{
}

/// <summary>One Single column (renamed by a schema definition).</summary>
internal sealed class SingleColumn
{
    public float Value { get; set; }
}

/// <summary>The transformer of <see cref="SharpnessMeasuringEstimator"/>: measures each row's model once, then caches.</summary>
public sealed class SharpnessMeasuringTransformer : ITransformer
{
    private readonly SharpnessCatalog catalog;
    private readonly SharpnessMeasuringOptions options;
    private readonly Dictionary<string, (float Loss, (float Value, float StdErr)[] Measures)> cache = new(StringComparer.Ordinal);

    internal SharpnessMeasuringTransformer(SharpnessCatalog catalog, SharpnessMeasuringOptions options)
    {
        this.catalog = catalog;
        this.options = options;
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => false;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var name in options.OutputColumnNames()) builder.AddColumn(name, NumberDataViewType.Single);
        return builder.ToSchema();
    }

    /// <summary>Measures every row's model (those not measured before) and returns the input with the measure columns.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(options.ModelColumnName)
                     ?? throw new ArgumentException($"The input has no model column '{options.ModelColumnName}'.");
        var paths = input.GetColumn<ReadOnlyMemory<char>>(column).Select(p => p.ToString()).ToList();
        for (int row = 0; row < paths.Count; row++)
        {
            var path = paths[row];
            if (cache.ContainsKey(path)) continue;
            if (!File.Exists(path)) throw new FileNotFoundException($"Row {row + 1}, column '{options.ModelColumnName}': model file '{path}' does not exist.", path);
            cache[path] = Measure(path);
        }

        var columns = new List<(string, float[])> { (options.LossColumnName, paths.Select(p => cache[p].Loss).ToArray()) };
        for (int m = 0; m < options.Measures.Count; m++)
        {
            int k = m;
            columns.Add((options.Measures[k], paths.Select(p => cache[p].Measures[k].Value).ToArray()));
            columns.Add((options.Measures[k] + ".StdErr", paths.Select(p => cache[p].Measures[k].StdErr).ToArray()));
        }

        return new AppendedColumnsDataView(input, columns);
    }

    private (float, (float, float)[]) Measure(string path)
    {
        var candidate = options.TorchScriptLoss is { } loss && !SavedModelFiles.IsSharpnessModelFile(path)
            ? ModelCandidate.FromTorchScript(path, loss, path)
            : ModelCandidate.FromModelFile(path, path);
        float lossValue = float.NaN;
        var values = new (float, float)[options.Measures.Count];
        for (int m = 0; m < options.Measures.Count; m++)
        {
            var ranked = catalog.SelectModel(new[] { candidate }, options.Data, options.Measures[m], options.Settings).Ranking[0];
            values[m] = ((float)ranked.Value, ranked.StandardError is { } se ? (float)se : float.NaN);
            lossValue = (float)ranked.Loss;
        }

        return (lossValue, values);
    }

    /// <summary>Not supported: the stage is applied in a program, not saved in a model file.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("The sharpness-measuring stage maps whole views (one row per model), not rows.");

    /// <summary>Not supported: the stage is applied in a program, not saved in a model file.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("The sharpness-measuring stage holds no learned state and is not saved; rebuild it with ml.Sharpness().MeasureSharpness(...).");
}

/// <summary>Settings of <see cref="SharpnessMeasuringEstimator"/>.</summary>
public sealed class SharpnessMeasuringOptions
{
    /// <summary>The data every model is measured on (raw rows, as each model's chain expects them; usually the training data).</summary>
    public IDataView Data { get; set; } = null!;

    /// <summary>The measures, by registered name; each adds a column named after it and one <c>&lt;name&gt;.StdErr</c>.</summary>
    public IReadOnlyList<string> Measures { get; set; } = new[] { "adaptive-worst-linf" };

    /// <summary>The text column holding each row's model path. Default <c>ModelPath</c>.</summary>
    public string ModelColumnName { get; set; } = "ModelPath";

    /// <summary>The output column with each model's loss on <see cref="Data"/>. Default <c>Loss</c>.</summary>
    public string LossColumnName { get; set; } = "Loss";

    /// <summary>Settings shared by every model (ρ, seed, batches); default <c>new MeasureSettings()</c>.</summary>
    public MeasureSettings Settings { get; set; } = new();

    /// <summary>
    /// The loss to measure TorchScript files with (they reading the data's <c>Features</c> and <c>Label</c> columns);
    /// <c>null</c> (default): every path must be a SharpnessML model file.
    /// </summary>
    public LossFunction? TorchScriptLoss { get; set; }

    internal IEnumerable<string> OutputColumnNames() =>
        new[] { LossColumnName }.Concat(Measures.SelectMany(m => new[] { m, m + ".StdErr" }));

    internal void Validate(MeasureRegistry registry)
    {
        if (Data is null) throw new ArgumentException("Data must be set: the data every model is measured on.", nameof(Data));
        if (Measures is null || Measures.Count == 0) throw new ArgumentException("Name at least one measure.", nameof(Measures));
        foreach (var measure in Measures) registry.Validate(measure);
        if (Measures.Distinct(StringComparer.Ordinal).Count() != Measures.Count) throw new ArgumentException("A measure is named twice.", nameof(Measures));
        ArgumentException.ThrowIfNullOrEmpty(ModelColumnName, nameof(ModelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(LossColumnName, nameof(LossColumnName));
        Settings.Validate();
    }
}
