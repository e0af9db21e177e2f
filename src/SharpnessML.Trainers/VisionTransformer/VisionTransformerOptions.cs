using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.VisionTransformer;

/// <summary>
/// Options of the vision-transformer trainer. Defaults: a 2-block, 4-head, width-64 ViT with 7×7 patches, Adam 1e-3,
/// and the shared schedule (up to 200 epochs, early stopping on a held-out 10% of the images, the best epoch's weights).
/// </summary>
public sealed class VisionTransformerOptions : TorchTrainerOptions
{
    /// <summary>The architecture; image size and classes are taken from the data. Default <c>new VisionTransformerSpec()</c>.</summary>
    public VisionTransformerSpec Architecture { get; set; } = new();

    /// <summary>Creates the options with Adam at 1e-3 (the usual ViT optimizer family; Dosovitskiy et al. 2021 use Adam).</summary>
    public VisionTransformerOptions()
    {
        Optimizer = new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 1e-3 };
    }
}
