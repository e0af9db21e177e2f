using Microsoft.ML;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.LeNet5;
using SharpnessML.Trainers.Mlp;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Trainers;

/// <summary>
/// The TorchSharp trainers, hung on ML.NET's own catalogs the way ML.NET's TorchSharp components
/// are: a simple overload with the usual column names and knobs, and one taking the full options.
/// </summary>
public static class SharpnessTrainersCatalog
{
    /// <summary>
    /// A multilayer perceptron for regression (MSE), trained with TorchSharp: Adam on the standardised label, stopping
    /// when the training loss stops improving (docs/defaults.md). The seed paper's training is
    /// <see cref="MlpOptions.SeedPaperAbalone"/>.
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">Label column (Single).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="hiddenLayerSizes">Hidden widths; default [64, 64].</param>
    /// <param name="learningRate">Adam's learning rate; default 1e-3 (see <see cref="Optimizers.OptimizerOptions.LearningRate"/>).</param>
    /// <param name="maxEpochs">Most epochs; default 1000, stopping once the training loss has not improved by 1e-4 for 20 epochs (see <see cref="MlpOptions"/>).</param>
    /// <param name="seed">Seed for initialisation and batch order; default 0.</param>
    public static MlpTrainer Mlp(
        this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        int[]? hiddenLayerSizes = null,
        double learningRate = 1e-3,
        int maxEpochs = 1000,
        int seed = 0)
        => catalog.Mlp(Simple(new MlpOptions { HiddenLayerSizes = hiddenLayerSizes ?? new MlpOptions().HiddenLayerSizes }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>A multilayer perceptron for regression with all options.</summary>
    public static MlpTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpOptions options) =>
        new(GetContext(catalog), options, NetworkTask.Regression);

    /// <summary>
    /// A multilayer perceptron for multiclass classification (cross-entropy), trained with TorchSharp: Adam, stopping
    /// when the training loss stops improving (docs/defaults.md).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Label column (key type, or Single holding 0..k−1).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="hiddenLayerSizes">Hidden widths; default [64, 64].</param>
    /// <param name="learningRate">Adam's learning rate; default 1e-3 (see <see cref="Optimizers.OptimizerOptions.LearningRate"/>).</param>
    /// <param name="maxEpochs">Most epochs; default 1000, stopping once the training loss has not improved by 1e-4 for 20 epochs (see <see cref="MlpOptions"/>).</param>
    /// <param name="seed">Seed for initialisation and batch order; default 0.</param>
    public static MlpTrainer Mlp(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        int[]? hiddenLayerSizes = null,
        double learningRate = 1e-3,
        int maxEpochs = 1000,
        int seed = 0)
        => catalog.Mlp(Simple(new MlpOptions { HiddenLayerSizes = hiddenLayerSizes ?? new MlpOptions().HiddenLayerSizes }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>A multilayer perceptron for multiclass classification with all options.</summary>
    public static MlpTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpOptions options) =>
        new(GetContext(catalog), options, NetworkTask.MulticlassClassification);

    /// <summary>
    /// A LeNet-5 convolutional network for multiclass classification of square grey-scale images
    /// (cross-entropy, Adam, early stopping on a held-out 10% of the images), trained with TorchSharp. The seed
    /// paper's training is <see cref="LeNet5Options.SeedPaperFashionMnist"/>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Label column (key type, or Single holding 0..k−1).</param>
    /// <param name="featureColumnName">Feature column: a known-size vector of side² Single (784 for 28×28 images).</param>
    /// <param name="architecture">Layer sizes; default <see cref="LeNet5Spec.Reference"/> (12/32 channels, 256/128 hidden units).</param>
    /// <param name="learningRate">Adam's learning rate; default 1e-3.</param>
    /// <param name="maxEpochs">Most epochs; default 200, with early stopping (see <see cref="Training.TorchTrainerOptions"/>).</param>
    /// <param name="seed">Seed for initialisation, dropout, the validation rows and batch order; default 0.</param>
    public static LeNet5Trainer LeNet5(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        LeNet5Spec? architecture = null,
        double learningRate = 1e-3,
        int maxEpochs = 200,
        int seed = 0)
        => catalog.LeNet5(Simple(new LeNet5Options { Architecture = architecture ?? LeNet5Spec.Reference }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>A LeNet-5 convolutional network for multiclass classification with all options.</summary>
    public static LeNet5Trainer LeNet5(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, LeNet5Options options) =>
        new(GetContext(catalog), options);

    /// <summary>
    /// A diagonal linear network ŷ = xᵀ(u ⊙ v) for (sparse) linear regression (MSE), trained with TorchSharp by plain
    /// SGD with batch 16 over every epoch (see <see cref="DiagonalNetwork.DiagonalNetworkOptions"/>).
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">Label column (Single).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="initScale">Initial value α of every u_i and v_i; default 0.1.</param>
    /// <param name="learningRate">SGD's learning rate; default 0.01.</param>
    /// <param name="maxEpochs">Epochs; default 200, all run.</param>
    /// <param name="seed">Seed of the batch order; default 0.</param>
    public static DiagonalNetwork.DiagonalNetworkTrainer DiagonalLinearNetwork(
        this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        double initScale = 0.1,
        double learningRate = 0.01,
        int maxEpochs = 200,
        int seed = 0)
        => catalog.DiagonalLinearNetwork(Simple(new DiagonalNetwork.DiagonalNetworkOptions { InitScale = initScale }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>A diagonal linear network for (sparse) linear regression with all options.</summary>
    public static DiagonalNetwork.DiagonalNetworkTrainer DiagonalLinearNetwork(this RegressionCatalog.RegressionTrainers catalog, DiagonalNetwork.DiagonalNetworkOptions options) =>
        new(GetContext(catalog), options);

    /// <summary>
    /// A small vision transformer (patch embedding, pre-norm self-attention blocks) for multiclass classification of
    /// square grey-scale images (cross-entropy, Adam, early stopping on a held-out 10% of the images).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Label column (key type, or Single holding 0..k−1).</param>
    /// <param name="featureColumnName">Feature column: a known-size vector of side² Single (784 for 28×28 images).</param>
    /// <param name="architecture">Blocks, heads, width and patch size; default <c>new VisionTransformerSpec()</c> (2 blocks, 4 heads, width 64, 7×7 patches).</param>
    /// <param name="learningRate">Adam's learning rate; default 1e-3.</param>
    /// <param name="maxEpochs">Most epochs; default 200, with early stopping (see <see cref="Training.TorchTrainerOptions"/>).</param>
    /// <param name="seed">Seed for initialisation, the validation rows and batch order; default 0.</param>
    public static VisionTransformer.VisionTransformerTrainer VisionTransformer(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        VisionTransformerSpec? architecture = null,
        double learningRate = 1e-3,
        int maxEpochs = 200,
        int seed = 0)
        => catalog.VisionTransformer(Simple(new VisionTransformer.VisionTransformerOptions { Architecture = architecture ?? new VisionTransformerSpec() },
            labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>A small vision transformer for image classification with all options.</summary>
    public static VisionTransformer.VisionTransformerTrainer VisionTransformer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, VisionTransformer.VisionTransformerOptions options) =>
        new(GetContext(catalog), options);

    /// <summary>
    /// A graph attention network (Veličković et al., 2018) for transductive node classification:
    /// the data has one row per node, in node order, and <paramref name="edgeIndex"/> is the graph.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="edgeIndex">Edges as an int64 tensor [2, E] over row indices (see <see cref="Graphs.EdgeIndex.FromUndirectedPairs"/>); copied.</param>
    /// <param name="split">Training, validation and test nodes; null draws the standard split (20 per class, 500, 1000) with <paramref name="seed"/>.</param>
    /// <param name="labelColumnName">Label column (key type, or Single holding 0..k−1).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="heads">Attention heads of the hidden layer; default 8 (Veličković et al., 2018).</param>
    /// <param name="maxEpochs">Most epochs (full-graph steps); default 1000, with early stopping after 100 epochs without improvement.</param>
    /// <param name="seed">Seed of initialisation, dropout, node sampling and the default split; default 0.</param>
    public static Graphs.GatTrainer Gat(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        TorchSharp.torch.Tensor edgeIndex,
        Graphs.NodeSplit? split = null,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        int heads = 8,
        int maxEpochs = 1000,
        int seed = 0)
        => catalog.Gat(edgeIndex, new Graphs.GatOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Heads = heads, MaxEpochs = maxEpochs, Seed = seed,
        }, split);

    /// <summary>A graph attention network for transductive node classification with all options.</summary>
    public static Graphs.GatTrainer Gat(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        TorchSharp.torch.Tensor edgeIndex, Graphs.GatOptions options, Graphs.NodeSplit? split = null) =>
        new(GetContext(catalog), edgeIndex, options, split);

    /// <summary>
    /// Fine-tunes a TorchScript regression model saved by PyTorch (<c>torch.jit.save</c>) with MSE.
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="modelPath">The TorchScript file; the module maps [n, d] to [n, 1].</param>
    /// <param name="labelColumnName">Label column (Single).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="learningRate">SGD learning rate; default 0.01.</param>
    /// <param name="maxEpochs">Epochs; default 10, all run.</param>
    /// <param name="seed">Seed of the batch order; default 0.</param>
    public static TorchScript.TorchScriptFineTuningTrainer FineTuneTorchScript(
        this RegressionCatalog.RegressionTrainers catalog,
        string modelPath,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        double learningRate = 0.01,
        int maxEpochs = 10,
        int seed = 0)
        => catalog.FineTuneTorchScript(Simple(new TorchScript.TorchScriptFineTuningOptions { ModelPath = modelPath }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>Fine-tunes a TorchScript regression model with all options.</summary>
    public static TorchScript.TorchScriptFineTuningTrainer FineTuneTorchScript(this RegressionCatalog.RegressionTrainers catalog, TorchScript.TorchScriptFineTuningOptions options) =>
        new(GetContext(catalog), options, NetworkTask.Regression);

    /// <summary>
    /// Fine-tunes a TorchScript classifier saved by PyTorch (<c>torch.jit.save</c>) with cross-entropy.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="modelPath">The TorchScript file; the module maps [n, d] to class logits [n, k].</param>
    /// <param name="labelColumnName">Label column (key type, or Single holding 0..k−1).</param>
    /// <param name="featureColumnName">Feature column (known-size vector of Single).</param>
    /// <param name="learningRate">SGD learning rate; default 0.01.</param>
    /// <param name="maxEpochs">Epochs; default 10, all run.</param>
    /// <param name="seed">Seed of the batch order; default 0.</param>
    public static TorchScript.TorchScriptFineTuningTrainer FineTuneTorchScript(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string modelPath,
        string labelColumnName = ColumnNames.Label,
        string featureColumnName = ColumnNames.Features,
        double learningRate = 0.01,
        int maxEpochs = 10,
        int seed = 0)
        => catalog.FineTuneTorchScript(Simple(new TorchScript.TorchScriptFineTuningOptions { ModelPath = modelPath }, labelColumnName, featureColumnName, learningRate, maxEpochs, seed));

    /// <summary>Fine-tunes a TorchScript classifier with all options.</summary>
    public static TorchScript.TorchScriptFineTuningTrainer FineTuneTorchScript(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TorchScript.TorchScriptFineTuningOptions options) =>
        new(GetContext(catalog), options, NetworkTask.MulticlassClassification);

    /// <summary>The simple overloads' options: <paramref name="options"/> (each family's defaults) with the columns, learning rate, epochs and seed given.</summary>
    private static TOptions Simple<TOptions>(TOptions options, string label, string features, double learningRate, int maxEpochs, int seed)
        where TOptions : Training.TorchTrainerOptions
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = features;
        options.MaxEpochs = maxEpochs;
        options.Seed = seed;
        options.Optimizer.LearningRate = learningRate;
        return options;
    }

    /// <summary>
    /// The caller's ML.NET environment behind <paramref name="catalog"/>, so the trainers log through the caller's
    /// <see cref="MLContext.Log"/> like ML.NET's own. ML.NET keeps a catalog's environment internal
    /// (<c>IInternalCatalog.Environment</c>; its own components read it through the internal
    /// <c>CatalogUtils.GetEnvironment</c>), so it is read by reflection; should a future ML.NET rename it, a fresh
    /// context serves (training is unchanged: seeds come from the trainer options, never from the context) and only
    /// the progress messages are lost.
    /// </summary>
    private static IHostEnvironment GetContext(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // ML.NET 5 implements it explicitly, as IInternalCatalog.Environment, on TrainCatalogBase.CatalogInstantiatorBase.
        for (var type = catalog.GetType(); type != null; type = type.BaseType)
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if ((property.Name == "Environment" || property.Name.EndsWith(".Environment", StringComparison.Ordinal))
                    && property.PropertyType == typeof(IHostEnvironment) && property.GetIndexParameters().Length == 0
                    && property.GetValue(catalog) is IHostEnvironment env)
                    return env;
        return new MLContext();
    }
}
