namespace SharpnessML.Datasets;

/// <summary>
/// How <see cref="IdxPair"/> turns unsigned-byte pixels b into features. Files of any other IDX type
/// (float32, …) are taken as stored: they are assumed to hold features already.
/// </summary>
public enum IdxPixelScaling
{
    /// <summary>
    /// (b / 255 − 0.2860) / 0.3530, exactly <see cref="FashionMnistDataset.Normalize"/>: what the
    /// FashionMNIST loader feeds our LeNet-5 and ViT trainers, so a model trained on it sees the same
    /// inputs. The default.
    /// </summary>
    FashionMnist,

    /// <summary>b / 255, in [0, 1] (torchvision's <c>ToTensor()</c> without <c>Normalize</c>).</summary>
    Unit,

    /// <summary>b itself, 0–255.</summary>
    Raw,
}
