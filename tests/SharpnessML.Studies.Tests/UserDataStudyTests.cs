using System.Buffers.Binary;
using Xunit;

namespace SharpnessML.Studies.Tests;

/// <summary>
/// Studies over the user's files beyond a CSV for an MLP: IDX images for LeNet-5 (<c>dataset: idx</c>), and a
/// TorchScript module fine-tuned at every grid point (<c>model.family: torchscript</c>).
/// </summary>
public sealed class UserDataStudyTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-user-data-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// Writes an IDX pair of 16×16 images whose class (0, 1, 2) is the image's bright quadrant row band: learnable, so a
    /// trained LeNet-5 beats chance (2/3 error).
    /// </summary>
    private void WriteIdx(string images, string labels, int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 256];
        var classes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(3);
            classes[i] = (byte)c;
            for (int p = 0; p < 256; p++)
            {
                int row = p / 16;
                bool bright = row >= c * 5 && row < c * 5 + 6;
                pixels[i * 256 + p] = (byte)(bright ? 160 + random.Next(96) : random.Next(96));
            }
        }

        File.WriteAllBytes(Path.Combine(folder, images), Idx(new[] { count, 16, 16 }, pixels));
        File.WriteAllBytes(Path.Combine(folder, labels), Idx(new[] { count }, classes));
    }

    /// <summary>An IDX file of unsigned bytes: magic 0x00 0x00 0x08 (type) and the number of dimensions, then each dimension big-endian.</summary>
    private static byte[] Idx(int[] dimensions, byte[] data)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        data.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    [Fact]
    public void An_idx_study_trains_LeNet5_on_the_users_images()
    {
        WriteIdx("train-images.idx", "train-labels.idx", 300, seed: 1);
        WriteIdx("test-images.idx", "test-labels.idx", 120, seed: 2);
        var file = Path.Combine(folder, "images.json");
        File.WriteAllText(file, """
            {
              "name": "images", "dataset": "idx",
              "data": { "images": "train-images.idx", "labels": "train-labels.idx", "testImages": "test-images.idx", "testLabels": "test-labels.idx", "pixels": "unit" },
              "model": { "family": "lenet5" }, "maxEpochs": 4,
              "grid": { "learningRate": [0.001, 0.003, 0.01] },
              "measures": [ { "name": "adaptive-worst-linf", "batches": 2, "steps": 3 } ]
            }
            """);
        var definition = StudyDefinition.Load(file);
        Assert.Equal("idx train-images.idx, test files, pixels unit; lenet5", definition.DescribeData());
        var members = new StudyRunner(definition).Run();
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.True(m.TestError < 0.5, $"member {m.Index}: test error {m.TestError}")); // chance: 2/3
        Assert.All(members, m => Assert.True(double.IsFinite(m.Measurements[0].Value) && m.Measurements[0].Value >= 0));
        Assert.Equal(3, members.Select(m => m.TrainLoss).Distinct().Count());

        // A worker reads the definition it is given: ToJson round-trips the resolved paths.
        Assert.Equal(definition.ToJson(), StudyDefinition.Parse(definition.ToJson()).ToJson());
    }

    [Fact]
    public void Images_that_are_not_square_are_refused_for_LeNet5_naming_the_file()
    {
        File.WriteAllBytes(Path.Combine(folder, "i.idx"), Idx(new[] { 4, 16, 8 }, new byte[4 * 128]));
        File.WriteAllBytes(Path.Combine(folder, "l.idx"), Idx(new[] { 4 }, new byte[] { 0, 1, 0, 1 }));
        var file = Path.Combine(folder, "bad.json");
        File.WriteAllText(file, """
            { "name": "bad", "dataset": "idx", "data": { "images": "i.idx", "labels": "l.idx", "testFraction": 0.5 },
              "model": { "family": "lenet5" }, "grid": { "replicate": [0, 1, 2] } }
            """);
        var e = Assert.Throws<InvalidDataException>(() => new StudyRunner(StudyDefinition.Load(file)).Run());
        Assert.Equal($"IDX file '{Path.Combine(folder, "i.idx")}' holds images [16, 8]; model family 'lenet5' needs square images [h, h].", e.Message);
    }

    [Fact]
    public void A_torchscript_module_is_fine_tuned_at_every_grid_point()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
        var file = Path.Combine(folder, "fine-tune.json");
        File.WriteAllText(file, $$"""
            {
              "name": "fine-tune", "dataset": "csv",
              "data": { "train": "{{Path.Combine(fixtures, "data.csv")}}", "testFraction": 0.25, "label": "target", "task": "regression" },
              "model": { "family": "torchscript", "path": "{{Path.Combine(fixtures, "fcnn.pt")}}" }, "maxEpochs": 3,
              "grid": { "learningRate": [0.0001, 0.01, 0.05] },
              "measures": [ "weight-l2-norm" ]
            }
            """);
        var members = new StudyRunner(StudyDefinition.Load(file)).Run();
        Assert.Equal(3, members.Count);
        // A tiny learning rate leaves the module nearly as PyTorch saved it; the others move it, further with the larger rate.
        var norms = members.Select(m => m.Measurements[0].Value).ToArray();
        Assert.NotEqual(norms[0], norms[1]);
        Assert.NotEqual(norms[1], norms[2]);
        Assert.True(members[2].TrainLoss < members[0].TrainLoss, $"fine-tuning did not lower the training loss: {members[2].TrainLoss} vs {members[0].TrainLoss}");
    }
}
