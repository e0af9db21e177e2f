using Microsoft.ML;
using SharpnessML.Datasets;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Cli.Scoring;

/// <summary>Saved models (model files, TorchScript, or PyTorch checkpoints with an architecture) opened on the CLI's data: a CSV table or an IDX pair.</summary>
internal static class DataLandscapes
{
    /// <summary>Opens <paramref name="modelPath"/> (either kind) on a CSV table, as <c>score</c> and <c>select</c> do.</summary>
    public static OpenedLandscape FromCsv(MLContext ml, string modelPath, CsvTable table, string labelColumn, LossFunction? loss,
        CheckpointArchitecture? architecture = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        if (architecture != null)
            return SavedModelLandscape.FromCheckpoint(modelPath, architecture, loss, task => table.ToTensors(labelColumn, task), $"'{table.Path}'");
        if (SavedModelFiles.IsSharpnessModelFile(modelPath))
            return SavedModelLandscape.FromModelFile(ml, modelPath, loss, (schema, network) =>
            {
                // The network's label is either a CSV column or derived by the model's chain from an input
                // column, as the Abalone pipeline standardises Rings into Label.
                if (network.LabelColumnName != labelColumn && !table.Header.Contains(network.LabelColumnName) && !schema.Any(c => c.Name == labelColumn))
                    throw new ArgumentException($"Model file '{modelPath}' reads its label from column '{network.LabelColumnName}', which '{table.Path}' does not have.");
                return table.ToDataView(ml, schema);
            });
        return SavedModelLandscape.FromTorchScript(modelPath, loss, task => table.ToTensors(labelColumn, task), $"'{table.Path}'");
    }

    /// <summary>
    /// Opens <paramref name="modelPath"/> (either kind) on an IDX pair: a model file reads the pair as its
    /// one feature vector and one label column (<see cref="IdxPair.ToDataView"/>), a TorchScript model the
    /// flattened images.
    /// </summary>
    public static OpenedLandscape FromIdx(MLContext ml, string modelPath, IdxPair pair, LossFunction? loss, CheckpointArchitecture? architecture = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        if (architecture != null)
            return SavedModelLandscape.FromCheckpoint(modelPath, architecture, loss, pair.ToTensors, $"IDX file '{pair.LabelsPath}'");
        if (SavedModelFiles.IsSharpnessModelFile(modelPath))
            return SavedModelLandscape.FromModelFile(ml, modelPath, loss, (schema, _) => pair.ToDataView(ml, schema, modelPath));
        return SavedModelLandscape.FromTorchScript(modelPath, loss, pair.ToTensors, $"IDX file '{pair.LabelsPath}'");
    }
}
