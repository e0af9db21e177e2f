using SharpnessML.Datasets;

namespace SharpnessML.TestKit;

/// <summary>A fact that is skipped, with the reason, when Debian's FashionMNIST files are not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!FashionMnistDataset.IsAvailable())
            Skip = $"FashionMNIST IDX files are not in {FashionMnistDataset.DebianDirectory}; install Debian's dataset-fashion-mnist package (scripts/test.sh does) to run this test.";
    }
}
