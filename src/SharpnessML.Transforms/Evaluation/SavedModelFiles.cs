using System.IO.Compression;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>What the library's model selection and the CLI's <c>score</c> and <c>select</c> share about saved models.</summary>
internal static class SavedModelFiles
{
    /// <summary>Whether <paramref name="path"/> is a zip holding a SharpnessML manifest (TorchScript files are zips too).</summary>
    internal static bool IsSharpnessModelFile(string path)
    {
        if (!Trainers.Data.InputFile.IsRegular(path)) return false; // opening a FIFO would block; the loader refuses it by name
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.GetEntry("sharpnessml.json") != null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// The loss on the whole landscape's data, as the <c>loss</c> row of <c>score</c> and the loss column of a
    /// ranking: the mean over all examples, accumulated over chunks of <see cref="NetworkEvaluation.DefaultBatchSize"/>
    /// (as <see cref="NetworkEvaluation"/> does) so 10,000 images never hold all their activations at once.
    /// </summary>
    internal static MeasureResult FullLoss(LossLandscape landscape, LossFunction loss)
    {
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var _ = torch.no_grad();
        double value = 0;
        foreach (var (indices, weight) in landscape.Chunks(NetworkEvaluation.DefaultBatchSize))
        {
            using var scope = torch.NewDisposeScope();
            value += weight * landscape.Loss(indices).to(torch.ScalarType.Float64).item<double>();
        }
        return new MeasureResult("loss", value, null, new LossMetrics(loss, landscape.ExampleCount));
    }
}
