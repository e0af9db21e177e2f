using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests;

public sealed class StudyDefinitionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-definition-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Json = """
        {
          "name": "lenet-grid",
          "dataset": "fashion-mnist",
          "baseSeed": 7,
          "maxEpochs": 2,
          "trainExamples": 1000,
          "grid": { "optimizer": ["sgd", "adam"], "batchSize": [32, 64, 128], "learningRate": [0.01, 1e-3] },
          "measures": [ { "name": "adaptive-worst-linf", "rho": 1e-4, "batchSize": 64 }, "hessian-trace" ]
        }
        """;

    private const string Yaml = """
        name: lenet-grid
        dataset: fashion-mnist
        baseSeed: 7
        maxEpochs: 2
        trainExamples: 1000
        grid:
          optimizer: [sgd, adam]
          batchSize: [32, 64, 128]
          learningRate: [0.01, 0.001]
        measures:
          - name: adaptive-worst-linf
            rho: 0.0001
            batchSize: 64
          - hessian-trace
        """;

    [Fact]
    public void JsonAndYamlDescribeTheSameStudy()
    {
        var json = StudyDefinition.Load(Write("study.json", Json));
        var yaml = StudyDefinition.Load(Write("study.yaml", Yaml));
        Assert.Equal(json.ToJson(), yaml.ToJson());
        Assert.Equal(StudyDataset.FashionMnist, json.Dataset);
        Assert.Equal(12, json.MemberCount);
        Assert.Equal(new[] { "adaptive-worst-linf", "hessian-trace" }, json.Measures.Select(m => m.Name));
        Assert.Equal(1e-4, json.Measures[0].Rho);
        Assert.Equal("0.001", json.Grid[2].Values[1]);
        // ToJson is read back to the same study.
        Assert.Equal(json.ToJson(), StudyDefinition.Parse(json.ToJson()).ToJson());
    }

    [Fact]
    public void MembersEnumerateTheGridWithTheLastAxisFastest()
    {
        var study = StudyDefinition.Load(Write("study.json", Json));
        var members = Enumerable.Range(0, study.MemberCount).Select(study.Member).ToList();
        Assert.Equal(new[] { "0.01", "0.001", "0.01", "0.001" }, members.Take(4).Select(m => m.Hyperparameters["learningRate"]));
        Assert.Equal(new[] { "32", "32", "64", "64", "128", "128" }, members.Take(6).Select(m => m.Hyperparameters["batchSize"]));
        Assert.Equal(Enumerable.Repeat("sgd", 6).Concat(Enumerable.Repeat("adam", 6)), members.Select(m => m.Hyperparameters["optimizer"]));
        Assert.Equal(Enumerable.Range(7, 12), members.Select(m => m.Seed));
        Assert.Equal(new[] { "optimizer", "batchSize", "learningRate" }, members[5].Hyperparameters.Keys);
        Assert.Equal(12, members.Select(m => string.Join(",", m.Hyperparameters.Values)).Distinct().Count());
    }

    [Fact]
    public void ASeedAxisSetsTheSeedAndModelsTakesTheFirstPoints()
    {
        var study = new StudyDefinition
        {
            Dataset = StudyDataset.Abalone, Models = 3,
            Grid = new() { new StudyAxis("seed", new[] { "11", "12" }), new StudyAxis("learningRate", new[] { "0.1", "0.2" }) },
        };
        study.Validate();
        Assert.Equal(3, study.MemberCount);
        Assert.Equal(new[] { 11, 11, 12 }, Enumerable.Range(0, 3).Select(i => study.Member(i).Seed));
    }

    [Theory]
    [InlineData("""{ "dataset": "abalone", "grid": { "learningRat": [0.1, 0.2, 0.3] } }""", "unknown grid axis 'learningRat'")]
    [InlineData("""{ "dataset": "abalone", "grid": { "batchSize": [16, 0, 64] } }""", "invalid value '0'")]
    [InlineData("""{ "dataset": "abalone", "grid": { "optimizer": ["sgd", "lion", "adam"] } }""", "invalid value 'lion'")]
    [InlineData("""{ "dataset": "mnist", "grid": { "learningRate": [0.1, 0.2, 0.3] } }""", "Unknown dataset 'mnist'")]
    [InlineData("""{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0.2] } }""", "at least 3 models")]
    [InlineData("""{ "dataset": "abalone", "models": 4, "grid": { "learningRate": [0.1, 0.2, 0.3] } }""", "exceeds the grid's 3 points")]
    [InlineData("""{ "dataset": "abalone", "epochs": 3, "grid": { "learningRate": [0.1, 0.2, 0.3] } }""", "unknown key 'epochs'")]
    [InlineData("""{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0.2, 0.3] }, "measures": ["sharpest"] }""", "Unknown measure 'sharpest'")]
    [InlineData("""{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0.2, 0.3] }, "measures": [{ "name": "renyi", "rho": -1 }] }""", "rho must be positive")]
    [InlineData("""{ "dataset": "abalone", "maxEpochs": "ten", "grid": { "learningRate": [0.1, 0.2, 0.3] } }""", "'maxEpochs' must be an integer")]
    [InlineData("""{ "dataset": "abalone", "grid": { "learningRate": [0.1, 0.2, 0.3] """, "not valid JSON")]
    public void BadStudyFilesAreRefusedNamingTheFileAndTheProblem(string text, string expected)
    {
        var path = Write("bad.json", text);
        var error = Assert.Throws<InvalidDataException>(() => StudyDefinition.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void BadYamlIsRefusedWithItsLine()
    {
        var path = Write("bad.yaml", "name: x\ndataset: abalone\ngrid:\n  learningRate: [0.1, 0.2\n");
        var error = Assert.Throws<InvalidDataException>(() => StudyDefinition.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not valid YAML", error.Message);
    }

    [Fact]
    public void TheStoredConfigurationIgnoresModelsAndThreadsButNotTheGrid()
    {
        var a = SeedPaperStudies.Abalone();
        var b = SeedPaperStudies.Abalone();
        b.Models = 10;
        b.Threads = 2;
        Assert.Equal(a.ConfigurationJson("h"), b.ConfigurationJson("h"));
        Assert.NotEqual(a.ConfigurationJson("h"), a.ConfigurationJson("other data"));
        b.Measures[0].Rho = 0.05;
        Assert.NotEqual(a.ConfigurationJson("h"), b.ConfigurationJson("h"));
    }

    [Fact]
    public void TheSeedPaperStudiesHaveFiftyModelsAndThePapersRadii()
    {
        foreach (var dataset in new[] { StudyDataset.Abalone, StudyDataset.FashionMnist, StudyDataset.Cora })
        {
            var study = SeedPaperStudies.For(dataset);
            study.Validate();
            Assert.Equal(50, study.MemberCount);
            Assert.Equal("adaptive-worst-linf", study.Measures[0].Name);
            Assert.Equal(64, study.Measures[0].BatchSize);
            Assert.Equal(SeedPaperStudies.PaperRho(dataset), study.Measures[0].Rho);
        }

        Assert.Equal(new[] { 0.025, 1e-4, 0.02 }, new[] { StudyDataset.Abalone, StudyDataset.FashionMnist, StudyDataset.Cora }.Select(SeedPaperStudies.PaperRho));
    }
}
