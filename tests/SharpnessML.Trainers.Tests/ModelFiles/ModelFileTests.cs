using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Datasets;
using SharpnessML.Trainers.Tests.Mlp;

namespace SharpnessML.Trainers.Tests.ModelFiles;

public sealed class ModelFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-model-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AModelRoundTripsWithIdenticalPredictions()
    {
        var (model, train, test) = MlpTrainerTests.TrainAbalone(seed: 3, epochs: 2);
        var ml = new MLContext();
        var path = Path.Combine(folder, "abalone.zip");
        ml.Sharpness().Model.Save(model, train.Schema, path);
        var loaded = ml.Sharpness().Model.Load(path, out var schema);
        Assert.Equal(train.Schema.Select(c => c.Name), schema.Select(c => c.Name));

        var expected = model.Transform(test).GetColumn<float>("Score").ToArray();
        var actual = loaded.Transform(test).GetColumn<float>("Score").ToArray();
        Assert.Equal(expected, actual);

        var engine = ml.Model.CreatePredictionEngine<AbaloneDataset.AbaloneRow, Prediction>(loaded);
        var first = ml.Data.CreateEnumerable<AbaloneDataset.AbaloneRow>(test, reuseRowObject: false).First();
        Assert.Equal(expected[0], engine.Predict(first).Score);
        Assert.False(Directory.EnumerateFiles(folder, "*.tmp-*").Any(), "no temporary file may remain");
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    [Fact]
    public void ACorruptFileIsRefusedNamingIt()
    {
        var path = Path.Combine(folder, "corrupt.zip");
        File.WriteAllText(path, "this is not a zip file");
        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Sharpness().Model.Load(path, out _));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ADamagedNestedTransformerIsRefusedNamingTheFile()
    {
        // ML.NET builds each saved transformer by reflection, so the error of a damaged nested entry arrives wrapped in
        // TargetInvocationExceptions (found by the fuzz test: a flipped bit in a normalizer's entry was an internal error).
        var (model, train, _) = MlpTrainerTests.TrainAbalone(seed: 3, epochs: 1);
        var ml = new MLContext();
        var path = Path.Combine(folder, "damaged.zip");
        ml.Sharpness().Model.Save(model, train.Schema, path);
        int damaged = 0;
        using (var outer = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = outer.Entries.Single(e => e.FullName.EndsWith(".mlnet.zip", StringComparison.Ordinal) && e.FullName.StartsWith("upstream", StringComparison.Ordinal));
            using var upstream = new MemoryStream();
            using (var stream = entry.Open()) stream.CopyTo(upstream);
            // Damage the deflated bytes of every nested entry (the zip's structure stays valid; inflating them fails).
            var bytes = upstream.ToArray();
            Dictionary<string, long> sizes;
            using (var inner = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
                sizes = inner.Entries.Where(e => e.FullName.Count(c => c is '/' or '\\') >= 2 && e.CompressedLength >= 4 && e.CompressedLength < e.Length)
                    .ToDictionary(e => e.FullName, e => e.CompressedLength);
            for (int at = 0; at + 30 < bytes.Length; at++)
            {
                if (bytes[at] != 0x50 || bytes[at + 1] != 0x4b || bytes[at + 2] != 3 || bytes[at + 3] != 4) continue; // local file header
                int nameLength = BitConverter.ToUInt16(bytes, at + 26), extraLength = BitConverter.ToUInt16(bytes, at + 28);
                if (!sizes.TryGetValue(System.Text.Encoding.UTF8.GetString(bytes, at + 30, nameLength), out long size)) continue;
                int data = at + 30 + nameLength + extraLength;
                for (int k = 0; k < size; k++) bytes[data + k] = 0xff; // an invalid deflate block type
                damaged++;
            }

            upstream.SetLength(0);
            upstream.Write(bytes);
            entry.Delete();
            using var replaced = outer.CreateEntry(entry.FullName).Open();
            upstream.Position = 0;
            upstream.CopyTo(replaced);
        }

        Assert.True(damaged > 0, "the upstream chain has no nested transformer to damage");
        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Sharpness().Model.Load(path, out _));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AForeignZipIsRefusedSayingWhatIsMissing()
    {
        var path = Path.Combine(folder, "foreign.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create)) zip.CreateEntry("readme.txt");
        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Sharpness().Model.Load(path, out _));
        Assert.Contains("not a SharpnessML model file", e.Message);
    }

    [Fact]
    public void AMissingFileIsRefusedNamingIt()
    {
        var path = Path.Combine(folder, "absent.zip");
        var e = Assert.Throws<FileNotFoundException>(() => new MLContext().Sharpness().Model.Load(path, out _));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MlNetsOwnSaveRefusesWithAPointerToTheModelFile()
    {
        var (model, train, _) = MlpTrainerTests.TrainAbalone(seed: 3, epochs: 1);
        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Save(model, train.Schema, Path.Combine(folder, "mlnet.zip")));
        Assert.Contains("Sharpness().Model.Save", e.ToString());
    }
}

public class SharpnessCatalogTests
{
    [Fact]
    public void EveryRegisteredMeasureRunsThroughTheCatalogOnATrainedPipeline()
    {
        var (model, train, _) = MlpTrainerTests.TrainAbalone(seed: 4, epochs: 1);
        var ml = new MLContext();
        var small = ml.Data.TakeRows(train, 200);
        var names = SharpnessML.Transforms.Evaluation.MeasureRegistry.BuiltIn.Names;
        Assert.Contains("hessian-trace", names);
        Assert.Contains("pac-bayes", names);
        Assert.Contains("geodesic", names);
        foreach (var name in new[] { "adaptive-worst-linf", "adaptive-avg-l2", "hessian-top-eigenvalues", "weight-l2-norm", "fisher-rao" })
        {
            var result = ml.Sharpness().Measure(model, small, name);
            Assert.Equal(name, result.Measure);
            Assert.True(double.IsFinite(result.Value), $"{name}: {result.Value}");
        }
        Assert.Throws<ArgumentException>(() => ml.Sharpness().Measure(model, small, "sharpest"));
    }
}
