using System.Runtime.CompilerServices;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using SharpnessML.Transforms.Visualization;
using TorchSharp;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// SharpnessML's catalog on <see cref="MLContext"/>: <c>mlContext.Sharpness()</c>. Measures a
/// trained model's sharpness on an <see cref="IDataView"/> and saves and loads the library's model
/// files.
/// </summary>
public sealed class SharpnessCatalog
{
    internal SharpnessCatalog(MLContext mlContext)
    {
        MLContext = mlContext;
        Model = new SharpnessModelCatalog(mlContext);
    }

    /// <summary>The ML.NET context.</summary>
    public MLContext MLContext { get; }

    /// <summary>
    /// This context's measures by name: the built-in ones (<see cref="MeasureRegistry.BuiltInMeasures"/>) and any
    /// registered with <see cref="MeasureRegistry.Register"/>, which <see cref="Measure"/> and <c>SelectModel</c> then
    /// take by name. Each MLContext has its own registry; <c>ml.Sharpness()</c> returns the same one every time.
    /// </summary>
    public MeasureRegistry Measures { get; } = new();

    /// <summary>Saving and loading models that hold TorchSharp networks.</summary>
    public SharpnessModelCatalog Model { get; }

    /// <summary>
    /// An evaluation stage over a pool of models: the input has one row per model, with its path in
    /// <paramref name="modelColumnName"/>; the output adds a Single column per measure (its value; and
    /// <c>&lt;measure&gt;.StdErr</c>) and <c>Loss</c>, every model measured on <paramref name="data"/> with the same settings.
    /// Feed the output to <see cref="EvaluateCorrelation"/>.
    /// </summary>
    /// <param name="data">The data every model is measured on (usually the training data).</param>
    /// <param name="measures">Measure names (built-in or registered on <see cref="Measures"/>).</param>
    /// <param name="modelColumnName">The text column with model-file paths. Default <c>ModelPath</c>.</param>
    /// <param name="settings">Shared settings (ρ, seed, …); default <c>new MeasureSettings()</c>.</param>
    public SharpnessMeasuringEstimator MeasureSharpness(IDataView data, IEnumerable<string> measures, string modelColumnName = "ModelPath",
        MeasureSettings? settings = null) =>
        MeasureSharpness(new SharpnessMeasuringOptions
        {
            Data = data, Measures = measures?.ToList() ?? throw new ArgumentNullException(nameof(measures)),
            ModelColumnName = modelColumnName, Settings = settings ?? new MeasureSettings(),
        });

    /// <summary>The evaluation stage over a pool of models, with every option (see <see cref="SharpnessMeasuringOptions"/>).</summary>
    public SharpnessMeasuringEstimator MeasureSharpness(SharpnessMeasuringOptions options) =>
        new(this, options ?? throw new ArgumentNullException(nameof(options)));

    /// <summary>
    /// How well each measure predicts generalization over a pool of models, the way <c>ml.Regression.Evaluate</c> scores
    /// predictions: <paramref name="data"/> has one row per model — a numeric column per measure, one for the
    /// generalization quantity (e.g. test loss or the generalization gap), and optionally hyperparameter columns (text,
    /// numbers or booleans) over which Jiang et al.'s (2019) granulated Kendall Ψ and conditional mutual information are
    /// computed. Rows where a measure or the generalization quantity is not finite are left out of that measure's
    /// statistics. Studies report the same <see cref="Statistics.CorrelationMetrics"/>, computed by the same code.
    /// </summary>
    /// <param name="data">One row per model.</param>
    /// <param name="generalizationColumnName">The generalization quantity's column.</param>
    /// <param name="measureColumnNames">The measures' columns; one result each, in this order.</param>
    /// <param name="hyperparameterColumnNames">Hyperparameter columns (only those that vary are used); none by default.</param>
    /// <param name="bootstrapSeed">Seed of the bootstrap intervals of τ. Default 0.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or fewer than 3 rows are usable (the message names the column).</exception>
    public IReadOnlyList<Statistics.CorrelationMetrics> EvaluateCorrelation(IDataView data, string generalizationColumnName,
        IEnumerable<string> measureColumnNames, IEnumerable<string>? hyperparameterColumnNames = null, int bootstrapSeed = 0) =>
        CorrelationEvaluation.Evaluate(data, generalizationColumnName, measureColumnNames?.ToList() ?? throw new ArgumentNullException(nameof(measureColumnNames)),
            hyperparameterColumnNames?.ToList() ?? new List<string>(), bootstrapSeed);

    /// <summary>
    /// Worst-case m-sharpness of <paramref name="model"/> (a chain holding one SharpnessML network)
    /// on <paramref name="data"/> (raw rows, as the model's first transformer expects them; usually
    /// the training data). The transformers before the network are applied first.
    /// </summary>
    public SharpnessMetrics Evaluate(ITransformer model, IDataView data, WorstCaseSharpnessOptions? options = null)
    {
        options ??= new WorstCaseSharpnessOptions();
        options.Validate();
        using var scope = torch.NewDisposeScope();
        var landscape = CreateLandscape(model, data, out _);
        return WorstCaseSharpness.Estimate(landscape, options);
    }

    /// <summary>
    /// Average-case sharpness of <paramref name="model"/> on <paramref name="data"/> (see
    /// <see cref="Evaluate(ITransformer, IDataView, WorstCaseSharpnessOptions?)"/> for the data).
    /// </summary>
    public SharpnessMetrics Evaluate(ITransformer model, IDataView data, AverageCaseSharpnessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var scope = torch.NewDisposeScope();
        return AverageCaseSharpness.Estimate(CreateLandscape(model, data, out _), options);
    }

    /// <summary>
    /// Any measure of <see cref="Measures"/> by name (perturbation, Hessian, Rényi, PAC-Bayes, Fisher-Rao, norms,
    /// geodesic, and the user's own) of <paramref name="model"/> on <paramref name="data"/>; Hessian measures
    /// differentiate the loss on all of <paramref name="data"/>. The result's <see cref="MeasureResult.Metrics"/>
    /// are the measure's typed metrics.
    /// </summary>
    public MeasureResult Measure(ITransformer model, IDataView data, string measure, MeasureSettings? settings = null)
    {
        Measures.Validate(measure);
        using var scope = torch.NewDisposeScope();
        return Measures.Measure(measure, CreateLandscape(model, data, out _), settings ?? new MeasureSettings());
    }

    /// <summary>
    /// The loss surface of <paramref name="model"/> on <paramref name="data"/> (Li et al., 2018): a 1D curve or a 2D grid
    /// of <paramref name="steps"/> points per axis from −1 to 1 along seeded random filter-normalised directions, biases
    /// and normalisation layers left out, on 1,024 examples (see <see cref="LossSurfaceOptions"/> for the defaults).
    /// </summary>
    /// <param name="model">A chain holding one SharpnessML network; the transformers before it are applied to <paramref name="data"/>.</param>
    /// <param name="data">Raw rows (usually the training data).</param>
    /// <param name="twoDimensional">A 2D surface when true, a 1D curve when false (the default).</param>
    /// <param name="steps">Grid points per axis. Default 51 (the paper's plots).</param>
    public LossSurface Landscape(ITransformer model, IDataView data, bool twoDimensional = false, int steps = 51) =>
        Landscape(model, data, new LossSurfaceOptions { TwoDimensional = twoDimensional, Steps = steps });

    /// <summary>The loss surface of <paramref name="model"/> on <paramref name="data"/> with every option (<see cref="LossSurfaces.Compute"/>).</summary>
    public LossSurface Landscape(ITransformer model, IDataView data, LossSurfaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var scope = torch.NewDisposeScope();
        return LossSurfaces.Compute(CreateLandscape(model, data, out _), options);
    }

    /// <summary>
    /// The loss along the line from <paramref name="from"/> to <paramref name="to"/> (two networks of one architecture, e.g. the
    /// initial and the trained one), θ_a + x(θ_b − θ_a), on <paramref name="data"/> read through <paramref name="from"/>'s chain
    /// (<see cref="LossSurfaces.Interpolate"/>); the range is −0.5 to 1.5 unless <paramref name="options"/> say otherwise.
    /// </summary>
    public LossSurface Interpolate(ITransformer from, ITransformer to, IDataView data, LossSurfaceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(to);
        options ??= new LossSurfaceOptions { RangeMin = -0.5, RangeMax = 1.5 };
        options.Validate();
        using var scope = torch.NewDisposeScope();
        var a = CreateLandscape(from, data, out _);
        var (_, target, _) = SharpnessModelFile.Split(to);
        var b = new LossLandscape(target.Network, target.Network.parameters().ToList(), _ => throw new InvalidOperationException("Only the target's parameters are read."), 1);
        return LossSurfaces.Interpolate(a, b, options);
    }

    /// <summary>
    /// Model selection: ranks <paramref name="candidates"/> by <paramref name="measure"/> on
    /// <paramref name="data"/> and selects the flattest (lowest value). Every candidate is measured with
    /// the same <paramref name="settings"/> — the same seed, hence the same batches, starting
    /// perturbations and probe vectors — so the comparison is fair; each row also holds the
    /// candidate's loss on all of <paramref name="data"/>. Candidates are measured one after another,
    /// and a file is released before the next is loaded.
    /// </summary>
    /// <param name="candidates">Trained transformers, model files and TorchScript files (<see cref="ModelCandidate"/>); names must be unique.</param>
    /// <param name="data">The raw rows every candidate is measured on (usually the training data).</param>
    /// <param name="measure">A measure name of <see cref="Measures"/>.</param>
    /// <param name="settings">ρ and seed, shared by every candidate; defaults when null.</param>
    /// <exception cref="ArgumentException">No candidate, an unknown measure (the message lists the known ones), or a candidate that
    /// does not fit <paramref name="data"/> (e.g. another input width; the message names the candidate).</exception>
    public ModelSelectionResult SelectModel(IEnumerable<ModelCandidate> candidates, IDataView data, string measure, MeasureSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(data);
        var list = candidates.ToList();
        if (list.Any(c => c is null)) throw new ArgumentException("A candidate is null.", nameof(candidates));
        return ModelSelection.Rank(list.Select(c => (c.Name, (Func<OpenedLandscape>)(() => c.Open(MLContext, data)))).ToList(),
            Measures, measure, settings ?? new MeasureSettings());
    }

    /// <summary>
    /// Model selection among trained transformers, named <c>model 0</c>, <c>model 1</c>, … in the order
    /// given (see <see cref="SelectModel(IEnumerable{ModelCandidate}, IDataView, string, MeasureSettings?)"/>);
    /// <see cref="RankedCandidate.Index"/> points back into <paramref name="models"/>.
    /// </summary>
    public ModelSelectionResult SelectModel(IEnumerable<ITransformer> models, IDataView data, string measure, MeasureSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        return SelectModel(models.Select((m, i) => ModelCandidate.FromTransformer($"model {i}", m)), data, measure, settings);
    }

    /// <summary>
    /// Model selection among SharpnessML model files, named by their file names (see
    /// <see cref="SelectModel(IEnumerable{ModelCandidate}, IDataView, string, MeasureSettings?)"/>); each
    /// file's ML.NET chain is applied to <paramref name="data"/>. TorchScript files are candidates through
    /// <see cref="ModelCandidate.FromTorchScript"/>.
    /// </summary>
    public ModelSelectionResult SelectModel(IEnumerable<string> modelPaths, IDataView data, string measure, MeasureSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(modelPaths);
        return SelectModel(modelPaths.Select(p => ModelCandidate.FromModelFile(p)), data, measure, settings);
    }

    /// <summary>
    /// The loss landscape of <paramref name="model"/> on <paramref name="data"/>: the network, its
    /// parameters and the training loss over the rows of <paramref name="data"/>. Tensors are
    /// created in the caller's dispose scope.
    /// </summary>
    public LossLandscape CreateLandscape(ITransformer model, IDataView data, out TorchNetworkTransformer network)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var (upstream, net, _) = SharpnessModelFile.Split(model);
        network = net;
        var prepared = upstream.Transform(data);
        var tensors = SupervisedTensors.FromDataView(prepared, net.FeatureColumnName, net.LabelColumnName, net.Task);
        var device = net.Parameters[0].device;
        return LossLandscape.ForNetwork(net, tensors.To(device));
    }
}

/// <summary>Saving and loading models that hold TorchSharp networks (<c>mlContext.Sharpness().Model</c>).</summary>
public sealed class SharpnessModelCatalog
{
    private readonly MLContext mlContext;

    internal SharpnessModelCatalog(MLContext mlContext) => this.mlContext = mlContext;

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/> (written to a temp file, then moved).</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path) =>
        SharpnessModelFile.Save(mlContext, model, inputSchema, path);

    /// <summary>Loads a model file; refuses corrupt or foreign files with an <see cref="InvalidDataException"/>.</summary>
    public ITransformer Load(string path, out DataViewSchema inputSchema) =>
        SharpnessModelFile.Load(mlContext, path, out inputSchema);
}

/// <summary>The entry point: <c>mlContext.Sharpness()</c>.</summary>
public static class MLContextSharpnessExtensions
{
    private static readonly ConditionalWeakTable<MLContext, SharpnessCatalog> Catalogs = new();

    /// <summary>
    /// SharpnessML's catalog of sharpness measures and model files: one per <paramref name="mlContext"/>, so the
    /// measures registered on its <see cref="SharpnessCatalog.Measures"/> stay registered.
    /// </summary>
    public static SharpnessCatalog Sharpness(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Catalogs.GetValue(mlContext, ml => new SharpnessCatalog(ml));
    }
}
