namespace SharpnessML.Studies;

/// <summary>What a measure is correlated with.</summary>
public enum GeneralizationTarget
{
    /// <summary>Loss on the test split (the seed paper's target).</summary>
    TestLoss,

    /// <summary>Test loss minus training loss (Jiang et al., 2019).</summary>
    GeneralizationGap,

    /// <summary>Test error rate, 1 − accuracy (classification only).</summary>
    TestError,
}
