namespace SharpnessML.Studies;

/// <summary>
/// The model family of a study over the user's data (the study file's <c>model</c> object): <c>mlp</c> with its hidden
/// layer sizes, <c>lenet5</c> or <c>vit</c> (images: <c>idx</c> studies), or <c>torchscript</c> with the path of a
/// TorchScript module fine-tuned at every grid point.
/// </summary>
public sealed class StudyModel
{
    /// <summary>The families a study file may name.</summary>
    public static IReadOnlyList<string> Families { get; } = new[] { Mlp, LeNet5, VisionTransformer, TorchScript };

    /// <summary>LeNet-5 (<c>LeNet5Trainer</c>, the library's defaults) on square images.</summary>
    public const string LeNet5 = "lenet5";

    /// <summary>A small vision transformer (<c>VisionTransformerTrainer</c>, the library's defaults; patch 7) on square images.</summary>
    public const string VisionTransformer = "vit";

    /// <summary>A fully connected network (<c>MlpTrainer</c>; library defaults: Adam 1e-3, ReLU, early stopping on the training loss).</summary>
    public const string Mlp = "mlp";

    /// <summary>A TorchScript module, fine-tuned (<c>TorchScriptFineTuningTrainer</c>).</summary>
    public const string TorchScript = "torchscript";

    /// <summary>The family (<c>family</c>). Default <c>mlp</c>.</summary>
    public string Family { get; set; } = Mlp;

    /// <summary>Hidden layer widths of an MLP (<c>hiddenLayerSizes</c>); null: the trainer's default.</summary>
    public int[]? HiddenLayerSizes { get; set; }

    /// <summary>The TorchScript file of the <c>torchscript</c> family (<c>path</c>; relative to the study file).</summary>
    public string? Path { get; set; }

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Families.Contains(Family))
            throw new FormatException($"model.family '{Family}' is unknown. Known families: {string.Join(", ", Families)}.");
        if (HiddenLayerSizes is { } sizes && (sizes.Length == 0 || sizes.Any(s => s < 1)))
            throw new FormatException("model.hiddenLayerSizes must be a non-empty array of positive integers.");
        if (Family == TorchScript && string.IsNullOrWhiteSpace(Path)) throw new FormatException("model.path (the TorchScript file) is required for family 'torchscript'.");
        if (Family != TorchScript && Path != null) throw new FormatException($"model.path belongs to family 'torchscript'; '{Family}' is built by the library.");
        if (Family != Mlp && HiddenLayerSizes != null) throw new FormatException($"model.hiddenLayerSizes belongs to family 'mlp', not '{Family}'.");
    }
}
