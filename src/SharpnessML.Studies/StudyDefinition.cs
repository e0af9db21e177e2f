using SharpnessML.Transforms.Evaluation;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies;

/// <summary>
/// A study: a grid of training configurations over one data set and model family, and the measures taken of every
/// member. Members are the grid's points in order (last axis fastest), optionally only the first
/// <see cref="Models"/>; member i's seed is <c>BaseSeed + i</c> unless <c>seed</c> is an axis. Built in code, or
/// read from a JSON or YAML file with <see cref="Load"/> (keys as the property names in camel case, the grid as an
/// object of arrays: see <c>docs/studies.md</c>).
/// </summary>
public sealed class StudyDefinition
{
    /// <summary>
    /// The study's name; also its id in a study store and the default report folder's name, so it is a name, never a
    /// path: letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, not <c>.</c> or <c>..</c> (<see cref="IsValidName"/>).
    /// Default <c>study</c>.
    /// </summary>
    public string Name { get; set; } = "study";

    /// <summary>Data set and model family. Default Abalone.</summary>
    public StudyDataset Dataset { get; set; }

    /// <summary>
    /// Where the data is: the Abalone data file, the FashionMNIST IDX folder, or the Cora folder. Null (default): the
    /// copy shipped in <c>data/</c> (Abalone, Cora) or Debian's <c>dataset-fashion-mnist</c> folder.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>The user's data of a <see cref="StudyDataset.Csv"/> study (the file's <c>data</c> object); null otherwise.</summary>
    public StudyData? Data { get; set; }

    /// <summary>The model family of a <see cref="StudyDataset.Csv"/> study (the file's <c>model</c> object); null: an MLP with the trainer's defaults.</summary>
    public StudyModel? Model { get; set; }

    /// <summary>Seed of member 0 (member i: <c>BaseSeed + i</c>). Default 0.</summary>
    public int BaseSeed { get; set; }

    /// <summary>Train only the first this-many grid points; null (default): the whole grid.</summary>
    public int? Models { get; set; }

    /// <summary>The hyperparameter axes, in order (the last varies fastest).</summary>
    public List<StudyAxis> Grid { get; set; } = new();

    /// <summary>Most training epochs, unless <c>epochs</c> is an axis; null (default): the trainer's default.</summary>
    public int? MaxEpochs { get; set; }

    /// <summary>Train on only the first this-many training examples (FashionMNIST); null (default): all.</summary>
    public int? TrainExamples { get; set; }

    /// <summary>
    /// The measures taken of every member; the first is the study's headline measure. Default: adaptive L∞
    /// worst-case sharpness with its defaults.
    /// </summary>
    public List<StudyMeasureSpec> Measures { get; set; } = new() { new StudyMeasureSpec() };

    /// <summary>Seed of the bootstrap confidence intervals. Default 0.</summary>
    public int BootstrapSeed { get; set; }

    /// <summary>
    /// Torch intra-op threads per process. Default 1 (fastest for these small models; see <c>sharpnessml bench</c>). At
    /// most the machine's core count is used.
    /// </summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// The data and model in words for reports, e.g. <c>csv</c> or
    /// <c>csv breast-cancer.csv, label diagnosis (classification), 30% held out (split seed 0); mlp 32-32</c>.
    /// </summary>
    public string DescribeData()
    {
        if (Data is not { } data) return StudyDatasetNames.NameOf(Dataset);
        var model = Model ?? new StudyModel();
        var family = model.Family == StudyModel.TorchScript ? $"torchscript {System.IO.Path.GetFileName(model.Path)}"
            : model.HiddenLayerSizes is { } sizes ? $"mlp {string.Join("-", sizes)}" : model.Family;
        string Held(bool testFile) => testFile ? "test files" : $"{data.EffectiveTestFraction.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal)} held out (split seed {data.SplitSeed})";
        if (Dataset == StudyDataset.Idx)
            return $"idx {System.IO.Path.GetFileName(data.Images)}, {Held(data.TestImages != null)}, pixels {data.Pixels}; {family}";
        var held = data.Test is { } test ? $"test file {System.IO.Path.GetFileName(test)}" : Held(false);
        return $"csv {System.IO.Path.GetFileName(data.Train)}, label {data.Label} ({StudyData.TaskName(data.Task)}), {held}; {family}";
    }

    /// <summary>Most members a study may have: 1,000,000 (each is a trained model; the runner holds one row per member).</summary>
    public const int MaxMembers = 1_000_000;

    /// <summary>Number of grid points, in 64 bits (saturating at <see cref="long.MaxValue"/>), so no grid overflows it.</summary>
    public long GridPoints => Grid.Aggregate(1L, (n, axis) =>
        axis.Values.Count == 0 ? 0 : n > long.MaxValue / axis.Values.Count ? long.MaxValue : n * axis.Values.Count);

    /// <summary>Number of grid points.</summary>
    /// <exception cref="ArgumentException">The grid has more than <see cref="int.MaxValue"/> points.</exception>
    public int GridSize => GridPoints <= int.MaxValue
        ? (int)GridPoints
        : throw new ArgumentException($"Study {Name}: the grid has {Points(GridPoints)} points ({string.Join(" × ", Grid.Select(a => a.Values.Count))}); a study has at most {MaxMembers:N0} members: set 'models' or shrink the grid.");

    private static string Points(long n) => n == long.MaxValue ? "more than 9.2e18" : n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Number of members: <see cref="Models"/> or the grid size.</summary>
    public int MemberCount => Models ?? GridSize;

    /// <summary>The configuration of member <paramref name="index"/>.</summary>
    public MemberConfiguration Member(int index)
    {
        if (index < 0 || index >= MemberCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"Member index must be in [0, {MemberCount}).");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int rest = index;
        for (int a = Grid.Count - 1; a >= 0; a--)
        {
            var axis = Grid[a];
            values[axis.Name] = axis.Values[rest % axis.Values.Count];
            rest /= axis.Values.Count;
        }

        var ordered = Grid.ToDictionary(a => a.Name, a => values[a.Name], StringComparer.Ordinal);
        var seed = ordered.TryGetValue(HyperparameterAxes.Seed, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : BaseSeed + index;
        return new MemberConfiguration(index, seed, ordered);
    }

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    /// <param name="measures">Where the measures' names must be registered; default <see cref="MeasureRegistry.BuiltIn"/>.</param>
    public void Validate(MeasureRegistry? measures = null)
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Study name must not be empty.", nameof(Name));
        if (!IsValidName(Name))
            throw new ArgumentException($"Study name '{Shown(Name)}' is not a name: use letters, digits, '-', '_' and '.' only (no path separators), and not '.' or '..'.", nameof(Name));
        if (Grid.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != Grid.Count)
            throw new ArgumentException($"Study {Name}: an axis appears twice in the grid.", nameof(Grid));
        foreach (var axis in Grid) ValidateAxis(axis);
        if (Models is < 1) throw new ArgumentOutOfRangeException(nameof(Models), Models, $"Study {Name}: models must be at least 1.");
        if (Models > GridPoints)
            throw new ArgumentOutOfRangeException(nameof(Models), Models, $"Study {Name}: models ({Models}) exceeds the grid's {GridPoints} points; add an axis (e.g. replicate).");
        if ((Models ?? GridPoints) > MaxMembers)
            throw new ArgumentException(Models is { } m
                ? $"Study {Name}: models is {m:N0}; a study has at most {MaxMembers:N0} members."
                : $"Study {Name}: the grid has {Points(GridPoints)} points ({string.Join(" × ", Grid.Select(a => a.Values.Count))}); a study has at most {MaxMembers:N0} members: set 'models' or shrink the grid.");
        if (MemberCount < 3)
            throw new ArgumentOutOfRangeException(nameof(Models), MemberCount, $"Study {Name}: a study needs at least 3 models to correlate; it has {MemberCount}.");
        if (MaxEpochs is < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, $"Study {Name}: maxEpochs must be at least 1.");
        if (TrainExamples is < 1) throw new ArgumentOutOfRangeException(nameof(TrainExamples), TrainExamples, $"Study {Name}: trainExamples must be at least 1.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"Study {Name}: threads must be at least 1.");
        if (Measures.Count == 0) throw new ArgumentException($"Study {Name}: at least one measure is required.", nameof(Measures));
        if (Measures.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != Measures.Count)
            throw new ArgumentException($"Study {Name}: a measure appears twice.", nameof(Measures));
        foreach (var measure in Measures) measure.Validate(measures);
        if (Dataset is StudyDataset.Csv or StudyDataset.Idx)
        {
            bool images = Dataset == StudyDataset.Idx;
            if (Data is null)
                throw new FormatException(images
                    ? $"Study {Name}: an idx study needs a 'data' object: {{\"images\": FILE, \"labels\": FILE, \"testImages\": FILE, \"testLabels\": FILE}}."
                    : $"Study {Name}: a csv study needs a 'data' object: {{\"train\": FILE, \"label\": COLUMN, \"task\": \"regression\" | \"classification\"}}.");
            if (DataPath != null) throw new FormatException($"Study {Name}: give the study's files in the 'data' object.");
            Data.Validate(images);
            Model?.Validate();
            if (!images && Model?.Family is StudyModel.LeNet5 or StudyModel.VisionTransformer)
                throw new FormatException($"model.family '{Model.Family}' reads images: use dataset 'idx'.");
        }
        else if (Data != null || Model != null)
            throw new FormatException($"Study {Name}: 'data' as an object and 'model' belong to datasets 'csv' and 'idx'; {StudyDatasetNames.NameOf(Dataset)} has its own data and model.");
        ValidateSeeds();
    }

    /// <summary>
    /// Whether <paramref name="name"/> can name a study: 1–100 characters, each an ASCII letter or digit, <c>-</c>,
    /// <c>_</c> or <c>.</c>, and not <c>.</c> or <c>..</c> — so it is safe as a file or folder name on every system.
    /// </summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 && name is not ("." or "..") &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.');

    /// <summary>Every member's seed, and each measure's seed offset added to it, must fit a 32-bit seed.</summary>
    private void ValidateSeeds()
    {
        long low, high;
        if (Grid.FirstOrDefault(a => a.Name == HyperparameterAxes.Seed) is { } seeds)
        {
            var values = seeds.Values.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList();
            (low, high) = (values.Min(), values.Max());
        }
        else
        {
            (low, high) = (BaseSeed, (long)BaseSeed + MemberCount - 1);
            if (high > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(BaseSeed), BaseSeed,
                    $"Study {Name}: seed {BaseSeed} + member index up to {MemberCount - 1} overflows a 32-bit seed; use a seed of at most {int.MaxValue - (MemberCount - 1L)}.");
        }
        foreach (var measure in Measures)
        {
            if (measure.Seed + low < int.MinValue || measure.Seed + high > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(Measures), measure.Seed,
                    $"Study {Name}: measure {measure.Name}'s seed {measure.Seed} plus member seeds {low}..{high} overflows a 32-bit seed.");
        }
    }

    /// <summary>At most 60 characters of <paramref name="text"/> for a message.</summary>
    internal static string Shown(string text) => text.Length <= 60 ? text : text[..60] + $"… ({text.Length:N0} characters)";

    private void ValidateAxis(StudyAxis axis)
    {
        if (!HyperparameterAxes.Known.Contains(axis.Name))
            throw new ArgumentException($"Study {Name}: unknown grid axis '{axis.Name}'. Known axes: {string.Join(", ", HyperparameterAxes.Known)}.");
        if (axis.Values.Count == 0) throw new ArgumentException($"Study {Name}: grid axis '{axis.Name}' has no values.");
        foreach (var value in axis.Values)
        {
            bool ok = axis.Name switch
            {
                HyperparameterAxes.Optimizer => TryParseOptimizer(value, out _),
                HyperparameterAxes.SharpnessAware => TryParseSharpnessAware(value, out _),
                HyperparameterAxes.Replicate or HyperparameterAxes.Seed => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
                HyperparameterAxes.BatchSize or HyperparameterAxes.Epochs or HyperparameterAxes.Heads =>
                    int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1,
                _ => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && float.IsFinite((float)x) && InRange(axis.Name, x),
            };
            if (!ok)
                throw new ArgumentException($"Study {Name}: grid axis '{axis.Name}' has an invalid value '{Shown(value)}'" +
                                            (AxisRanges.TryGetValue(axis.Name, out var range) ? $"; it must be {range.Text}." : "."));
        }
    }

    /// <summary>
    /// The ranges of the real-valued axes (and of every measure's ρ, <see cref="StudyMeasureSpec.MaxRho"/>): values
    /// outside them are not hyperparameters but typos (a dropout of 2, a negative learning rate); every value must
    /// also be finite as a 32-bit float, which the trainers use.
    /// </summary>
    private static readonly Dictionary<string, (Func<double, bool> Contains, string Text)> AxisRanges = new(StringComparer.Ordinal)
    {
        [HyperparameterAxes.LearningRate] = (x => x > 0, "positive"),
        [HyperparameterAxes.Momentum] = (x => x is >= 0 and < 1, "in [0, 1)"),
        [HyperparameterAxes.WeightDecay] = (x => x >= 0, "at least 0"),
        [HyperparameterAxes.SamRho] = (x => x is >= 0 and <= StudyMeasureSpec.MaxRho, $"in [0, {StudyMeasureSpec.MaxRho}]"),
        [HyperparameterAxes.LabelNoise] = (x => x >= 0, "at least 0 (a flip probability of at most 1 for classification)"),
        [HyperparameterAxes.Dropout] = (x => x is >= 0 and < 1, "a probability in [0, 1)"),
    };

    private bool InRange(string axis, double value)
    {
        if (!AxisRanges.TryGetValue(axis, out var range)) return value >= 0;
        if (axis == HyperparameterAxes.LabelNoise && Dataset != StudyDataset.Abalone) return value is >= 0 and <= 1;
        return range.Contains(value);
    }

    /// <summary>Parses an optimizer name such as <c>sgd</c> or <c>adam-mini</c>.</summary>
    public static bool TryParseOptimizer(string text, out OptimizerKind kind) =>
        Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out kind) && Enum.IsDefined(kind);

    /// <summary>Parses a sharpness-aware wrapper name such as <c>none</c> or <c>sam</c>.</summary>
    public static bool TryParseSharpnessAware(string text, out SharpnessAwareKind kind) =>
        Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out kind) && Enum.IsDefined(kind);

    /// <summary>Reads a study file (<c>.json</c>, or <c>.yaml</c>/<c>.yml</c>) and validates it.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and the key.</exception>
    public static StudyDefinition Load(string path)
    {
        using var document = StudyFileReader.Read(path);
        StudyDefinition definition;
        try
        {
            definition = FromJson(document.RootElement);
            definition.ResolvePaths(Path.GetDirectoryName(Path.GetFullPath(path))!);
            definition.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"Study file {path}: {e.Message}", e);
        }

        return definition;
    }

    /// <summary>Parses a study from JSON text (the format of <see cref="ToJson"/>).</summary>
    public static StudyDefinition Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var definition = FromJson(document.RootElement);
        definition.Validate();
        return definition;
    }

    private static readonly string[] TopLevelKeys =
        { "name", "dataset", "data", "model", "baseSeed", "models", "maxEpochs", "trainExamples", "grid", "measures", "bootstrapSeed", "threads" };

    private static readonly string[] DataKeys = { "train", "test", "testFraction", "splitSeed", "label", "task", "images", "labels", "testImages", "testLabels", "pixels" };

    private static readonly string[] ModelKeys = { "family", "hiddenLayerSizes", "path" };

    /// <summary>Makes the csv study's file paths absolute, relative to <paramref name="directory"/> (the study file's).</summary>
    private void ResolvePaths(string directory)
    {
        string Resolve(string p) => Path.GetFullPath(p, directory);
        if (Data is { } data)
        {
            if (!string.IsNullOrWhiteSpace(data.Train)) data.Train = Resolve(data.Train);
            if (data.Test is { } test) data.Test = Resolve(test);
            if (data.Images is { } images) data.Images = Resolve(images);
            if (data.Labels is { } labels) data.Labels = Resolve(labels);
            if (data.TestImages is { } testImages) data.TestImages = Resolve(testImages);
            if (data.TestLabels is { } testLabels) data.TestLabels = Resolve(testLabels);
        }

        if (Model?.Path is { } model) Model.Path = Resolve(model);
    }

    private static StudyData ParseData(JsonElement element)
    {
        CheckKeys(element, DataKeys, "data");
        bool images = element.TryGetProperty("images", out _) || element.TryGetProperty("labels", out _);
        return new StudyData
        {
            Train = String(element, "train") ?? (images ? "" : throw new FormatException("data.train (the training CSV file) is required.")),
            Test = String(element, "test"),
            TestFraction = Double(element, "testFraction"),
            SplitSeed = Int(element, "splitSeed") ?? 0,
            Label = String(element, "label") ?? (images ? "" : throw new FormatException("data.label (the label column) is required.")),
            Task = images ? (String(element, "task") is { } t ? StudyData.ParseTask(t) : NetworkTask.MulticlassClassification)
                : StudyData.ParseTask(String(element, "task") ?? throw new FormatException("data.task ('regression' or 'classification') is required.")),
            Images = String(element, "images"),
            Labels = String(element, "labels"),
            TestImages = String(element, "testImages"),
            TestLabels = String(element, "testLabels"),
            Pixels = (String(element, "pixels") ?? "fashion-mnist").Trim().ToLowerInvariant(),
        };
    }

    private static StudyModel ParseModel(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new FormatException("'model' must be an object, e.g. {\"family\": \"mlp\", \"hiddenLayerSizes\": [32, 32]}.");
        CheckKeys(element, ModelKeys, "model");
        int[]? sizes = null;
        if (element.TryGetProperty("hiddenLayerSizes", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind != JsonValueKind.Array || h.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out _)))
                throw new FormatException($"model.hiddenLayerSizes must be an array of integers, got {h.GetRawText()}.");
            sizes = h.EnumerateArray().Select(v => v.GetInt32()).ToArray();
        }

        return new StudyModel
        {
            Family = (String(element, "family") ?? StudyModel.Mlp).Trim().ToLowerInvariant(),
            HiddenLayerSizes = sizes,
            Path = String(element, "path"),
        };
    }

    private static void CheckKeys(JsonElement element, string[] known, string where)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
                throw new FormatException($"unknown key '{where}.{property.Name}'. Known keys: {string.Join(", ", known)}.");
        }
    }

    private static readonly string[] MeasureKeys = { "name", "rho", "batchSize", "batches", "steps", "examples", "seed" };

    private static StudyDefinition FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the top level must be an object.");
        RejectDuplicateKeys(root, "");
        foreach (var property in root.EnumerateObject())
        {
            if (!TopLevelKeys.Contains(property.Name))
                throw new FormatException($"unknown key '{property.Name}'. Known keys: {string.Join(", ", TopLevelKeys)}.");
        }

        var definition = new StudyDefinition
        {
            Name = String(root, "name") ?? "study",
            Dataset = StudyDatasetNames.Parse(String(root, "dataset") ?? throw new FormatException("key 'dataset' is required.")),
            DataPath = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? null : String(root, "data"),
            Data = root.TryGetProperty("data", out var dataObject) && dataObject.ValueKind == JsonValueKind.Object ? ParseData(dataObject) : null,
            Model = root.TryGetProperty("model", out var model) && model.ValueKind != JsonValueKind.Null ? ParseModel(model) : null,
            BaseSeed = Int(root, "baseSeed") ?? 0,
            Models = Int(root, "models"),
            MaxEpochs = Int(root, "maxEpochs"),
            TrainExamples = Int(root, "trainExamples"),
            BootstrapSeed = Int(root, "bootstrapSeed") ?? 0,
            Threads = Int(root, "threads") ?? 1,
            Grid = new List<StudyAxis>(),
        };
        if (root.TryGetProperty("grid", out var grid) && grid.ValueKind != JsonValueKind.Null)
        {
            if (grid.ValueKind != JsonValueKind.Object) throw new FormatException("'grid' must be an object of arrays, e.g. {\"learningRate\": [0.01, 0.1]}.");
            foreach (var axis in grid.EnumerateObject())
            {
                if (axis.Value.ValueKind != JsonValueKind.Array)
                    throw new FormatException($"grid.{Shown(axis.Name)} must be an array of values, e.g. [{Shown(axis.Value.GetRawText())}]; got {axis.Value.ValueKind.ToString().ToLowerInvariant()} {Shown(axis.Value.GetRawText())}.");
                var values = axis.Value.EnumerateArray().ToList();
                definition.Grid.Add(new StudyAxis(axis.Name, values.Select(v => Canonical(v, $"grid.{axis.Name}")).ToArray()));
            }
        }

        if (root.TryGetProperty("measures", out var measures) && measures.ValueKind != JsonValueKind.Null)
        {
            if (measures.ValueKind != JsonValueKind.Array) throw new FormatException("'measures' must be an array.");
            definition.Measures = measures.EnumerateArray().Select(ParseMeasure).ToList();
        }

        return definition;
    }

    /// <summary>JSON allows a key twice (the last wins, silently); a study file does not.</summary>
    private static void RejectDuplicateKeys(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray()) RejectDuplicateKeys(item, $"{path}[{i++}]");
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var where = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (!seen.Add(property.Name)) throw new FormatException($"key '{Shown(where)}' appears twice.");
            RejectDuplicateKeys(property.Value, where);
        }
    }

    private static StudyMeasureSpec ParseMeasure(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String) return new StudyMeasureSpec { Name = element.GetString()! };
        if (element.ValueKind != JsonValueKind.Object) throw new FormatException("each measure must be a name or an object with a 'name'.");
        foreach (var property in element.EnumerateObject())
        {
            if (!MeasureKeys.Contains(property.Name))
                throw new FormatException($"unknown measure key '{property.Name}'. Known keys: {string.Join(", ", MeasureKeys)}.");
        }

        return new StudyMeasureSpec
        {
            Name = String(element, "name") ?? throw new FormatException("a measure needs a 'name'."),
            Rho = Double(element, "rho"),
            BatchSize = Int(element, "batchSize"),
            Batches = Int(element, "batches"),
            Steps = Int(element, "steps"),
            Examples = Int(element, "examples"),
            Seed = Int(element, "seed") ?? 0,
        };
    }

    private static string Canonical(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => value.GetString()!.Trim().ToLowerInvariant(),
        JsonValueKind.True or JsonValueKind.False => value.GetBoolean() ? "true" : "false",
        _ => throw new FormatException($"{where}: values must be numbers or strings, got {value.ValueKind}."),
    };

    private static string? String(JsonElement e, string key) =>
        !e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"'{key}' must be a string.");

    private static int? Int(JsonElement e, string key) =>
        !e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : throw new FormatException($"'{key}' must be an integer, got {v.GetRawText()}.");

    private static double? Double(JsonElement e, string key) =>
        !e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new FormatException($"'{key}' must be a number, got {v.GetRawText()}.");

    /// <summary>The whole study as JSON (the format <see cref="Load"/> reads).</summary>
    public string ToJson() => Write(forConfiguration: false, dataFingerprint: null);

    /// <summary>
    /// Everything that determines the members' values, as deterministic JSON for a study store: every setting except
    /// <see cref="Models"/> (a stored study can be extended with more members) and <see cref="Threads"/>, plus
    /// <paramref name="dataFingerprint"/> (a hash of the data files).
    /// </summary>
    public string ConfigurationJson(string dataFingerprint) => Write(forConfiguration: true, dataFingerprint);

    private string Write(bool forConfiguration, string? dataFingerprint)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = !forConfiguration }))
        {
            json.WriteStartObject();
            json.WriteString("name", Name);
            json.WriteString("dataset", StudyDatasetNames.NameOf(Dataset));
            if (forConfiguration) json.WriteString("dataFingerprint", dataFingerprint);
            else if (DataPath != null) json.WriteString("data", DataPath);
            if (Data is { } d)
            {
                // The configuration pins the data by its fingerprint, so moving the files keeps the store valid.
                json.WriteStartObject("data");
                if (!forConfiguration && d.Train.Length > 0) json.WriteString("train", d.Train);
                if (d.Test != null) json.WriteString("test", forConfiguration ? "file" : d.Test);
                if (!forConfiguration && d.Images != null) json.WriteString("images", d.Images);
                if (!forConfiguration && d.Labels != null) json.WriteString("labels", d.Labels);
                if (d.TestImages != null) json.WriteString("testImages", forConfiguration ? "file" : d.TestImages);
                if (d.TestLabels != null) json.WriteString("testLabels", forConfiguration ? "file" : d.TestLabels);
                if (d.Images != null) json.WriteString("pixels", d.Pixels);
                if (d.TestFraction is { } fraction)
                {
                    json.WritePropertyName("testFraction");
                    json.WriteRawValue(fraction.ToString("R", CultureInfo.InvariantCulture));
                }

                json.WriteNumber("splitSeed", d.SplitSeed);
                if (d.Label.Length > 0) json.WriteString("label", d.Label);
                json.WriteString("task", StudyData.TaskName(d.Task));
                json.WriteEndObject();
            }

            if (Model is { } model)
            {
                json.WriteStartObject("model");
                json.WriteString("family", model.Family);
                if (model.HiddenLayerSizes is { } sizes)
                {
                    json.WriteStartArray("hiddenLayerSizes");
                    foreach (var size in sizes) json.WriteNumberValue(size);
                    json.WriteEndArray();
                }

                if (model.Path != null && !forConfiguration) json.WriteString("path", model.Path);
                json.WriteEndObject();
            }
            json.WriteNumber("baseSeed", BaseSeed);
            if (!forConfiguration && Models is { } models) json.WriteNumber("models", models);
            if (MaxEpochs is { } epochs) json.WriteNumber("maxEpochs", epochs);
            if (TrainExamples is { } examples) json.WriteNumber("trainExamples", examples);
            json.WriteNumber("bootstrapSeed", BootstrapSeed);
            if (!forConfiguration) json.WriteNumber("threads", Threads);
            json.WriteStartObject("grid");
            foreach (var axis in Grid)
            {
                json.WriteStartArray(axis.Name);
                foreach (var v in axis.Values)
                {
                    if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && v != "infinity" && v != "nan")
                    {
                        // The stored configuration keeps the canonical text; a file is written as a writer formats numbers (indented).
                        if (forConfiguration) json.WriteRawValue(v);
                        else json.WriteNumberValue(number);
                    }
                    else json.WriteStringValue(v);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("measures");
            foreach (var m in Measures)
            {
                json.WriteStartObject();
                json.WriteString("name", m.Name);
                if (m.Rho is { } rho)
                {
                    json.WritePropertyName("rho");
                    json.WriteRawValue(rho.ToString("R", CultureInfo.InvariantCulture));
                }

                if (m.BatchSize is { } batchSize) json.WriteNumber("batchSize", batchSize);
                if (m.Batches is { } batches) json.WriteNumber("batches", batches);
                if (m.Steps is { } steps) json.WriteNumber("steps", steps);
                if (m.Examples is { } count) json.WriteNumber("examples", count);
                if (m.Seed != 0) json.WriteNumber("seed", m.Seed);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
