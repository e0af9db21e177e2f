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
        CheckModelPath(modelPath);
        if (architecture != null)
            return SavedModelLandscape.FromCheckpoint(modelPath, architecture, loss, task => table.ToTensors(labelColumn, task), $"'{table.Path}'");
        if (SavedModelFiles.IsSharpnessModelFile(modelPath))
            return SavedModelLandscape.FromModelFile(ml, modelPath, loss, (schema, network) =>
            {
                // A model a csv study saved reads CsvDataset's view: every column but the label as one Features vector.
                if (schema.Any(c => c.Type is Microsoft.ML.Data.VectorDataViewType && !table.Header.Contains(c.Name)))
                    return CsvDataset.Load(ml, table.Path, labelColumn, network.Task);
                // The network's label is either a CSV column or derived by the model's chain from an input
                // column, as the Abalone pipeline standardises Rings into Label.
                if (network.LabelColumnName != labelColumn && !schema.Any(c => c.Name == labelColumn))
                {
                    if (!table.Header.Contains(network.LabelColumnName))
                        throw new ArgumentException($"Model file '{modelPath}' reads its label from column '{network.LabelColumnName}', which '{table.Path}' does not have.");
                    // The chain would read its own label column and --label would be silently ignored.
                    throw new ArgumentException($"--label '{labelColumn}' is not the label of model file '{modelPath}', which reads its label from column " +
                                                $"'{network.LabelColumnName}' (nor a column it derives the label from); give --label {network.LabelColumnName}.");
                }
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
        CheckModelPath(modelPath);
        if (architecture != null)
            return SavedModelLandscape.FromCheckpoint(modelPath, architecture, loss, pair.ToTensors, $"IDX file '{pair.LabelsPath}'");
        if (SavedModelFiles.IsSharpnessModelFile(modelPath))
            return SavedModelLandscape.FromModelFile(ml, modelPath, loss, (schema, _) => pair.ToDataView(ml, schema, modelPath));
        return SavedModelLandscape.FromTorchScript(modelPath, loss, pair.ToTensors, $"IDX file '{pair.LabelsPath}'");
    }

    /// <summary>Refuses a model path that is a folder or does not exist, naming it.</summary>
    internal static void CheckModelPath(string modelPath)
    {
        if (Directory.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' is a folder, not a model file.", modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
    }
}
